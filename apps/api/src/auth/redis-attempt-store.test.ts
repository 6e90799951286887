import { randomBytes } from 'node:crypto';
import { FailedLoginLimiter } from '@agentflow/services';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisAttemptStore } from './redis-attempt-store';

// Needs a live Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379) to run it.
describe.skipIf(!process.env.REDIS_URL)('RedisAttemptStore (needs REDIS_URL)', () => {
  const redis = process.env.REDIS_URL ? new Redis(process.env.REDIS_URL, { lazyConnect: true }) : undefined;
  const prefix = `af_test_${randomBytes(6).toString('hex')}:`;
  afterAll(async () => {
    if (!redis) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('counts within a window that starts at the first hit, and clears', async () => {
    const store = new RedisAttemptStore(redis!, prefix);
    expect(await store.get('k')).toBeNull();
    expect(await store.increment('k', 60_000)).toMatchObject({ count: 1 });
    const second = await store.increment('k', 60_000);
    expect(second.count).toBe(2);
    expect(second.resetInMs).toBeGreaterThan(59_000);
    expect(await store.get('k')).toMatchObject({ count: 2 });
    await store.clear('k');
    expect(await store.get('k')).toBeNull();
  });

  it('locks an account across limiter instances (shared by API processes)', async () => {
    const a = new FailedLoginLimiter(new RedisAttemptStore(redis!, prefix), { maxFailures: 2 });
    const b = new FailedLoginLimiter(new RedisAttemptStore(redis!, prefix), { maxFailures: 2 });
    await a.recordFailure('shared@x.io');
    await b.recordFailure('shared@x.io');
    await expect(a.assertAllowed('shared@x.io')).rejects.toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
    await expect(b.assertAllowed('shared@x.io')).rejects.toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
    // The stored key is a hash: no email in Redis.
    expect((await redis!.keys(`${prefix}*`)).join()).not.toContain('shared');
  });
});
