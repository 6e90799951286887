import { AppError } from '@agentflow/contracts';
import type { AttemptStore } from '@agentflow/services';
import { normalizeIP } from '@fastify/rate-limit';

export interface FailedAuthLimiterOptions {
  /** Rejected credentials allowed per client IP and window. */
  max: number;
  windowMs: number;
  /** The store failed (Redis down): the limiter then fails open, like the request rate limits. */
  onStoreError: (error: unknown) => void;
}

/**
 * Per-IP brake on guessing tokens and API keys. The request rate limits never see a request whose
 * credentials are rejected (the auth hook answers 401 before they run), so without this an attacker
 * could try keys at full speed. Every 401 for presented-but-bad credentials (invalid, expired or
 * revoked token; unknown, expired or revoked key) counts; over `max` in the window, every request
 * from that IP that presents credentials gets 429 until the window ends, valid ones included (checking
 * them would answer the guess).
 */
export class FailedAuthLimiter {
  constructor(
    private readonly store: AttemptStore,
    private readonly options: FailedAuthLimiterOptions,
  ) {}

  async assertAllowed(ip: string): Promise<void> {
    const current = await this.safely(() => this.store.get(keyFor(ip)));
    if (!current || current.count < this.options.max) return;
    const retryAfter = Math.max(1, Math.ceil(current.resetInMs / 1000));
    throw new AppError(
      'RATE_LIMIT_EXCEEDED',
      'Too many rejected credentials from this address; retry later.',
      {
        scope: 'failed_auth',
        limit: this.options.max,
        window_seconds: Math.round(this.options.windowMs / 1000),
        retry_after_seconds: retryAfter,
      },
    );
  }

  async recordFailure(ip: string): Promise<void> {
    await this.safely(() => this.store.increment(keyFor(ip), this.options.windowMs));
  }

  private async safely<T>(operation: () => Promise<T>): Promise<T | undefined> {
    try {
      return await operation();
    } catch (error) {
      this.options.onStoreError(error);
      return undefined;
    }
  }
}

// IPv6 clients are counted per /64, as in the request rate limits: one host usually owns the prefix.
function keyFor(ip: string): string {
  return `ip:${normalizeIP(ip)}`;
}
