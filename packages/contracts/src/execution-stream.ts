import { z } from 'zod';

/**
 * The live event stream of one execution (`WS /api/v1/executions/:id/stream?after=SEQ`, issue 5).
 * Each WebSocket message is one stored event (`ExecutionEvent` JSON: execution_id, seq, type, payload,
 * created_at), in seq order, each seq once. Shared by the API and the SDK.
 */

/** Event types after which an execution emits nothing more: the server closes with 1000 after one. */
export const terminalExecutionEventTypes = [
  'execution.completed',
  'execution.failed',
  'execution.cancelled',
  'execution.timed_out',
] as const;

export function isTerminalExecutionEvent(type: string): boolean {
  return (terminalExecutionEventTypes as readonly string[]).includes(type);
}

/** Statuses an execution never leaves. `waiting_approval` is not one: the stream stays open. */
export const terminalExecutionStatuses = ['completed', 'failed', 'cancelled', 'timed_out'] as const;

export function isTerminalExecutionStatus(status: string): boolean {
  return (terminalExecutionStatuses as readonly string[]).includes(status);
}

/** seq is a Postgres integer: a larger `after` is refused here rather than failing the query. */
const MAX_SEQ = 2_147_483_647;

export const executionStreamQuerySchema = z.object({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_SEQ)
    .default(0)
    .describe('Send only events with seq > after (the last seq the client has; 0 = from the start)'),
});
export type ExecutionStreamQuery = z.infer<typeof executionStreamQuerySchema>;

/**
 * Browsers cannot set headers on a WebSocket: they send the credential as a subprotocol instead,
 * offering both `bearer` and `bearer.<access token or API key>`. The server selects `bearer` (it must
 * echo one offered protocol, and never echoes the credential).
 */
export const EXECUTION_STREAM_PROTOCOL = 'bearer';
export const EXECUTION_STREAM_CREDENTIAL_PREFIX = 'bearer.';

/** Close codes the server uses. Anything but `done` means: reconnect with after = the last seq seen. */
export const executionStreamCloseCodes = {
  /** The terminal event was sent (or the execution had already ended and nothing was left). */
  done: 1000,
  /** The server is shutting down. */
  goingAway: 1001,
  /** The stream could not continue (database or event bus failure). */
  internalError: 1011,
  /** The client read too slowly and too much piled up in the server's send buffer. */
  tryAgainLater: 1013,
} as const;
