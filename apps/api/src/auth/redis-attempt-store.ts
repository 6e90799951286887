import type { AttemptCount, AttemptStore } from '@agentflow/services';
import type { Redis } from 'ioredis';

// One round trip, atomic: the window starts with the first failure and is never extended by later ones.
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }
`;

/** Failed-login counters shared by every API instance (used when REDIS_URL is set). */
export class RedisAttemptStore implements AttemptStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'af:auth:',
  ) {}

  async increment(key: string, windowMs: number): Promise<AttemptCount> {
    const [count, ttl] = (await this.redis.eval(INCREMENT, 1, this.prefix + key, windowMs)) as [
      number,
      number,
    ];
    return { count, resetInMs: ttl > 0 ? ttl : windowMs };
  }

  async get(key: string): Promise<AttemptCount | null> {
    const [[, count], [, ttl]] = ((await this.redis
      .multi()
      .get(this.prefix + key)
      .pttl(this.prefix + key)
      .exec()) ?? []) as [[unknown, string | null], [unknown, number]];
    if (count === null || count === undefined) return null;
    return { count: Number(count), resetInMs: Math.max(ttl, 0) };
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
