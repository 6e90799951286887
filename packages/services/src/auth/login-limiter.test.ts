import { isAppError } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import { FailedLoginLimiter, MemoryAttemptStore } from './login-limiter';

describe('FailedLoginLimiter', () => {
  it('locks after maxFailures within the window, resets on success and when the window ends', async () => {
    const limiter = new FailedLoginLimiter(new MemoryAttemptStore(), { maxFailures: 3, windowMs: 50 });
    for (let i = 0; i < 3; i++) {
      await limiter.assertAllowed('a@x.io');
      await limiter.recordFailure('a@x.io');
    }
    const locked = await limiter.assertAllowed('a@x.io').catch((e: unknown) => e);
    expect(isAppError(locked) && locked.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(isAppError(locked) && locked.details.retry_after_seconds).toBe(1);
    await limiter.assertAllowed('b@x.io');

    await new Promise((resolve) => setTimeout(resolve, 60));
    await limiter.assertAllowed('a@x.io');

    await limiter.recordFailure('a@x.io');
    await limiter.reset('a@x.io');
    await limiter.recordFailure('a@x.io');
    await limiter.recordFailure('a@x.io');
    await limiter.assertAllowed('a@x.io');
  });

  it('keeps the memory store bounded', async () => {
    const store = new MemoryAttemptStore(10);
    for (let i = 0; i < 50; i++) await store.increment(`k${i}`, 60_000);
    expect(await store.get('k0')).toBeNull();
    expect(await store.get('k49')).toMatchObject({ count: 1 });
  });
});

describe('FailedLoginLimiter with a failing store', () => {
  it('fails open and reports the error', async () => {
    const errors: unknown[] = [];
    const broken = {
      increment: () => Promise.reject(new Error('redis down')),
      get: () => Promise.reject(new Error('redis down')),
      clear: () => Promise.reject(new Error('redis down')),
    };
    const limiter = new FailedLoginLimiter(broken, { maxFailures: 1, onStoreError: (e) => errors.push(e) });
    await limiter.recordFailure('a@x.io');
    await limiter.assertAllowed('a@x.io');
    await limiter.reset('a@x.io');
    expect(errors).toHaveLength(3);
  });
});
