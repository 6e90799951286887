import type { RetrySettings } from '@agentflow/contracts';
import { type EngineError, isAbortError, isRetryable } from './errors';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  factor: number;
  jitter: boolean;
}

/** A single attempt: what nodes without I/O get. */
export const noRetry: RetryPolicy = {
  maxAttempts: 1,
  baseDelayMs: 0,
  maxDelayMs: 0,
  factor: 2,
  jitter: false,
};

/** Node settings over handler defaults over "one attempt". */
export function retryPolicy(
  node: RetrySettings | undefined,
  defaults: RetrySettings | undefined,
): RetryPolicy {
  const s = { ...defaults, ...node };
  return {
    maxAttempts: s.max_attempts ?? (defaults || node ? 3 : 1),
    baseDelayMs: s.base_delay_ms ?? 1000,
    maxDelayMs: s.max_delay_ms ?? 60_000,
    factor: s.factor ?? 2,
    jitter: s.jitter ?? true,
  };
}

/**
 * Delay before retry number `attempt` (1 = the first retry): `min(base * factor^(attempt-1), max)`,
 * at least a 429's Retry-After; jitter spreads it over [75%, 100%] so runs hit by the same rate limit
 * do not retry in lockstep.
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  err: unknown,
  random = Math.random,
): number {
  let delay = Math.min(policy.baseDelayMs * policy.factor ** (attempt - 1), policy.maxDelayMs);
  if (policy.jitter) delay = Math.round(delay * (0.75 + 0.25 * random()));
  const retryAfter = (err as Partial<EngineError> | undefined)?.retryAfterMs;
  if (typeof retryAfter === 'number') delay = Math.max(delay, Math.min(retryAfter, policy.maxDelayMs));
  return delay;
}

export function shouldRetry(
  policy: RetryPolicy,
  attempt: number,
  err: unknown,
  signal?: AbortSignal,
): boolean {
  return attempt < policy.maxAttempts && !signal?.aborted && !isAbortError(err) && isRetryable(err);
}

/** Runs `fn` with retries (used inside the agent loop, per model call). */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  opts: {
    sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    signal?: AbortSignal;
    onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!shouldRetry(policy, attempt, err, opts.signal)) throw err;
      const delay = backoffDelay(policy, attempt, err);
      opts.onRetry?.(attempt, delay, err);
      await opts.sleep(delay, opts.signal);
    }
  }
}
