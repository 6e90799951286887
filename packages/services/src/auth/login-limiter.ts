import { AppError } from '@agentflow/contracts';
import { sha256Hex } from './tokens';

/** A fixed-window counter per key. Redis-backed in the API when REDIS_URL is set (shared by instances). */
export interface AttemptStore {
  /** Adds one to `key`, starting a window of `windowMs` on the first hit. */
  increment(key: string, windowMs: number): Promise<AttemptCount>;
  get(key: string): Promise<AttemptCount | null>;
  clear(key: string): Promise<void>;
}

export interface AttemptCount {
  count: number;
  /** Milliseconds until the window ends and the count resets. */
  resetInMs: number;
}

export interface LimiterOptions {
  maxFailures?: number;
  windowMs?: number;
  /**
   * Called when the store fails (Redis down). The limiter then fails open: an outage of the counter
   * store must not lock every user out; the per-IP limits still apply.
   */
  onStoreError?: (error: unknown) => void;
}

/**
 * Per-account brake on password guessing: after `maxFailures` failed logins for one email within the
 * window, further attempts get 429 until the window ends, even with the right password. Unknown emails
 * are counted like real ones, so the limiter does not reveal which accounts exist. (Per-IP limits on
 * the auth endpoints are the general rate-limit plugin's job.)
 */
export class FailedLoginLimiter {
  readonly maxFailures: number;
  readonly windowMs: number;
  private readonly onStoreError: (error: unknown) => void;

  constructor(
    private readonly store: AttemptStore,
    options: LimiterOptions = {},
  ) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 15 * 60 * 1000;
    this.onStoreError = options.onStoreError ?? (() => {});
  }

  /** Throws RATE_LIMIT_EXCEEDED with `details.retry_after_seconds` while the account is locked. */
  async assertAllowed(email: string): Promise<void> {
    const current = await this.safely(() => this.store.get(keyFor(email)));
    if (current && current.count >= this.maxFailures) throw lockedError(current.resetInMs);
  }

  async recordFailure(email: string): Promise<void> {
    await this.safely(() => this.store.increment(keyFor(email), this.windowMs));
  }

  async reset(email: string): Promise<void> {
    await this.safely(() => this.store.clear(keyFor(email)));
  }

  private async safely<T>(operation: () => Promise<T>): Promise<T | undefined> {
    try {
      return await operation();
    } catch (error) {
      this.onStoreError(error);
      return undefined;
    }
  }
}

function lockedError(resetInMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(resetInMs / 1000));
  return new AppError(
    'RATE_LIMIT_EXCEEDED',
    'Too many failed sign-in attempts for this account; retry later.',
    {
      retry_after_seconds: retryAfterSeconds,
    },
  );
}

// Hashed so neither Redis nor a heap dump holds a list of emails that were tried.
function keyFor(email: string): string {
  return `login-failures:${sha256Hex(email)}`;
}

/** One process only: fine for the embedded mode and tests; bounded so a flood of emails cannot grow it. */
export class MemoryAttemptStore implements AttemptStore {
  private readonly entries = new Map<string, { count: number; expiresAt: number }>();

  constructor(private readonly maxKeys = 100_000) {}

  async increment(key: string, windowMs: number): Promise<AttemptCount> {
    const now = Date.now();
    const live = this.live(key, now);
    const entry = live ?? { count: 0, expiresAt: now + windowMs };
    entry.count += 1;
    if (!live) {
      if (this.entries.size >= this.maxKeys) this.sweep(now);
      // Still full of live windows: drop the oldest rather than grow without bound.
      if (this.entries.size >= this.maxKeys) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      this.entries.set(key, entry);
    }
    return { count: entry.count, resetInMs: entry.expiresAt - now };
  }

  async get(key: string): Promise<AttemptCount | null> {
    const now = Date.now();
    const entry = this.live(key, now);
    return entry ? { count: entry.count, resetInMs: entry.expiresAt - now } : null;
  }

  async clear(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private live(key: string, now: number) {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
