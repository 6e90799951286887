import type { ChatRequest } from '../llm/types';
import type { HandlerEvent } from './types';

/**
 * Streams one model call's text as `llm.token` events and, when the call restarts (a retry or a
 * router fallback after partial text), tells consumers how much of it to drop with `llm.restart`.
 * Counts only what was streamed since the last restart, so earlier calls of an agent stay intact.
 */
export function tokenStream(emit: (event: HandlerEvent) => void) {
  let tokens = 0;
  let chars = 0;
  const restart = (reason: 'retry' | 'fallback') => {
    if (tokens === 0) return;
    emit({ type: 'llm.restart', reason, discarded: { tokens, chars } });
    tokens = 0;
    chars = 0;
  };
  const request: Pick<ChatRequest, 'onToken' | 'onRestart'> = {
    onToken: (token) => {
      tokens++;
      chars += token.length;
      emit({ type: 'llm.token', token });
    },
    onRestart: () => restart('fallback'),
  };
  return { request, restart };
}
