export interface RetryOptions {
  /** Attempts after the first one (default 4). */
  maxRetries?: number | undefined;
  /** First backoff; doubles each time, with jitter (default 500 ms). */
  baseDelayMs?: number | undefined;
  /** Cap of one wait, also of a provider's Retry-After (default 20 s). */
  maxDelayMs?: number | undefined;
}

/**
 * Runs `fn` until it succeeds, `isRetryable(error)` says no, the retries are used up or `signal` aborts.
 * `isRetryable` may return a wait the provider asked for (Retry-After), in milliseconds.
 */
export async function withRetries<T>(
  fn: () => Promise<T>,
  isRetryable: (error: unknown) => boolean | number,
  options: RetryOptions & { signal?: AbortSignal | undefined } = {},
): Promise<T> {
  const maxRetries = options.maxRetries ?? 4;
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 20_000;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn();
    } catch (error) {
      const verdict = isRetryable(error);
      if (verdict === false || attempt >= maxRetries || options.signal?.aborted) throw error;
      const backoff = base * 2 ** attempt * (0.75 + Math.random() * 0.5);
      const wait = Math.min(cap, typeof verdict === 'number' ? Math.max(verdict, backoff) : backoff);
      await sleep(wait, options.signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
