import { describe, expect, it } from 'vitest';
import { RedisUnavailableError } from './errors';
import { assertRedisUrl, checkRedis, closeRedis, createRedis, redactRedisUrl } from './redis';
import { REDIS_SKIP_REASON } from './testing';

const redisUrl = process.env.REDIS_URL;

describe('redis helpers', () => {
  it('rejects URLs that are not redis:// or rediss://', () => {
    expect(() => assertRedisUrl('http://localhost:6379')).toThrow(/expected redis:\/\/ or rediss:\/\//);
    expect(() => assertRedisUrl('localhost:6379')).toThrow(RedisUnavailableError);
    expect(() => assertRedisUrl('nonsense')).toThrow(/not a URL/);
    expect(assertRedisUrl('rediss://user:pw@example.com:6380/2').port).toBe('6380');
  });

  it('redacts passwords', () => {
    expect(redactRedisUrl('redis://user:secret@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(redactRedisUrl('redis://host:6379')).toBe('redis://host:6379');
  });

  it('worker connections never give up on a command; producer connections do', () => {
    const worker = createRedis('redis://127.0.0.1:1', { lazyConnect: true });
    const producer = createRedis('redis://127.0.0.1:1', { role: 'producer', lazyConnect: true });
    expect(worker.options.maxRetriesPerRequest).toBeNull();
    expect(producer.options.maxRetriesPerRequest).toBe(3);
    worker.disconnect();
    producer.disconnect();
  });

  it('fails the connection check with the address and the cause when nothing listens', async () => {
    const redis = createRedis('redis://:hunter2@127.0.0.1:1');
    const check = checkRedis(redis, 500);
    await expect(check).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(check).rejects.toThrow(
      /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 did not answer PING within 500 ms \(last error: .*ECONNREFUSED/,
    );
    await closeRedis(redis);
  });

  it.skipIf(!redisUrl)(
    `passes the connection check against a live server${redisUrl ? '' : ` (${REDIS_SKIP_REASON})`}`,
    async () => {
      const redis = createRedis(redisUrl ?? '');
      await checkRedis(redis);
      await closeRedis(redis);
      expect(redis.status).toBe('end');
    },
  );
});
