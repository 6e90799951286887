import type { SimpleJsonSchema } from '@agentflow/contracts';
import { abortError } from '../../sleep';
import { LlmError } from '../errors';
import { costOf, lookupPrice, type PriceTable } from '../prices';
import type { ChatMessage } from '../types';

/** Where the SDKs write their own warnings (default: console); a pino logger fits. */
export interface SdkLogger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  debug(message: string, ...rest: unknown[]): void;
}

/** ~4 characters per token: only used when a server reports no usage (some compatible servers). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function estimateInputTokens(messages: ChatMessage[]): number {
  return messages.reduce(
    (n, m) =>
      n +
      estimateTokens(m.content) +
      (m.role === 'assistant' ? estimateTokens(JSON.stringify(m.tool_calls ?? [])) : 0),
    0,
  );
}

/** Tool arguments arrive as JSON text; an object is the only valid shape for `ToolCall.arguments`. */
export function parseToolArguments(provider: string, name: string, json: string): Record<string, unknown> {
  if (!json.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new LlmError(
      'bad_output',
      provider,
      `the model sent invalid JSON arguments for tool "${name}": ${json.slice(0, 200)}`,
    );
  }
  return asObject(provider, name, value);
}

export function asObject(provider: string, name: string, value: unknown): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    return value as Record<string, unknown>;
  throw new LlmError('bad_output', provider, `the model sent non-object arguments for tool "${name}"`);
}

/** The SDKs end a stream quietly when it is aborted: a partial answer must never pass for a whole one. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** Names the APIs accept for tools and response formats: `^[a-zA-Z0-9_-]{1,64}$`. */
export function safeName(name: string, fallback: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return cleaned || fallback;
}

/**
 * Splits texts into request-sized batches by count and by characters (a stand-in for the per-request
 * token limit), keeping order; a single oversized text still gets its own batch.
 */
export function batches(texts: string[], maxItems: number, maxChars: number): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const text of texts) {
    if (current.length && (current.length >= maxItems || chars + text.length > maxChars)) {
      out.push(current);
      current = [];
      chars = 0;
    }
    current.push(text);
    chars += text.length;
  }
  if (current.length) out.push(current);
  return out;
}

/** OpenAI strict structured outputs need every object closed and every property required. */
export function isStrictCompatible(schema: SimpleJsonSchema): boolean {
  if (schema.type === 'object' || schema.properties) {
    const props = Object.keys(schema.properties ?? {});
    if (schema.additionalProperties !== false) return false;
    if (!props.every((p) => schema.required?.includes(p))) return false;
    if (!Object.values(schema.properties ?? {}).every(isStrictCompatible)) return false;
  }
  return schema.items ? isStrictCompatible(schema.items) : true;
}

export function toolCallNames(messages: ChatMessage[]): string[] {
  const names = new Set<string>();
  for (const m of messages) if (m.role === 'assistant') for (const c of m.tool_calls ?? []) names.add(c.name);
  for (const m of messages) if (m.role === 'tool') names.add(m.name);
  return [...names];
}

/**
 * Prices by the requested id when it has a price (overrides included), else by the model that
 * answered: an Azure deployment name is unknown, but the model it reports (`gpt-4o-2024-08-06`) is.
 * `cost_known` is false when neither has a price: the cost 0 then means "unknown", not "free".
 */
export function chatCost(
  prices: PriceTable | undefined,
  requested: string,
  answered: string,
  input: number,
  output: number,
): { cost: number; cost_known: boolean } {
  const model = lookupPrice(requested, prices).known ? requested : answered;
  return {
    cost: costOf(model, input, output, prices),
    cost_known: lookupPrice(model, prices).known,
  };
}
