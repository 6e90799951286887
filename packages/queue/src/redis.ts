import { Redis } from 'ioredis';
import { RedisUnavailableError } from './errors';
import { withTimeout } from './util/async';

/**
 * - `worker`: BullMQ consumers. `maxRetriesPerRequest: null` is required by BullMQ (it throws for a
 *   blocking connection otherwise): lock renewals and job completions must wait out a Redis blip
 *   instead of failing the job.
 * - `producer`: enqueue from request handlers. A bounded retry count makes `enqueue` fail in seconds
 *   when Redis is down instead of hanging the HTTP request forever.
 * - `subscriber`: pub/sub. Same bounded retries, so `subscribe` fails visibly while Redis is down.
 */
export type RedisRole = 'worker' | 'producer' | 'subscriber';

export interface CreateRedisOptions {
  role?: RedisRole;
  /** Shows up in `CLIENT LIST`, which is how an operator (or a test) finds a connection. */
  connectionName?: string;
  /** Do not connect until the first command (BullMQ connects it when it needs it). */
  lazyConnect?: boolean;
  /** Connection errors (ioredis keeps reconnecting on its own). Without it they are only recorded. */
  onError?: (error: Error) => void;
  /** Commands issued in the same tick leave in one socket write (ioredis `enableAutoPipelining`). */
  autoPipelining?: boolean;
}

const PRODUCER_MAX_RETRIES = 3;

const lastErrors = new WeakMap<Redis, Error>();
const urls = new WeakMap<Redis, string>();

export function assertRedisUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUnavailableError(`Invalid Redis URL "${redactRedisUrl(url)}": not a URL`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisUnavailableError(
      `Invalid Redis URL "${redactRedisUrl(url)}": expected redis:// or rediss://, got ${parsed.protocol}//`,
    );
  }
  return parsed;
}

/** The URL without its password, for logs and error messages. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}

export function createRedis(url: string, options: CreateRedisOptions = {}): Redis {
  assertRedisUrl(url);
  const role = options.role ?? 'worker';
  const redis = new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : PRODUCER_MAX_RETRIES,
    lazyConnect: options.lazyConnect ?? false,
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
    ...(options.autoPipelining ? { enableAutoPipelining: true } : {}),
  });
  urls.set(redis, url);
  // Without a listener ioredis prints every reconnect error to stderr; keep the last one for messages.
  redis.on('error', (error: Error) => {
    lastErrors.set(redis, error);
    options.onError?.(error);
  });
  return redis;
}

/** PINGs with a deadline, so startup fails with a clear reason instead of waiting on reconnects forever. */
export async function checkRedis(redis: Redis, timeoutMs = 5_000): Promise<void> {
  const where = redactRedisUrl(urls.get(redis) ?? `redis://${redis.options.host}:${redis.options.port}`);
  await withTimeout(redis.ping(), timeoutMs, () => {
    const cause = lastErrors.get(redis);
    return new RedisUnavailableError(
      `Redis at ${where} did not answer PING within ${timeoutMs} ms${cause ? ` (last error: ${cause.message})` : ''}`,
    );
  });
}

/** QUIT politely, but never wait on a dead server for longer than `timeoutMs`. */
export async function closeRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status === 'wait') {
    // Never connected (lazy): nothing to say goodbye to.
    redis.disconnect();
    return;
  }
  // QUIT's reply arrives before the socket is gone; wait for 'end' so nothing is left open.
  const ended = new Promise<void>((resolve) => redis.once('end', () => resolve()));
  try {
    await withTimeout(
      redis.quit().then(() => ended),
      timeoutMs,
      () => new Error('QUIT timed out'),
    );
  } catch {
    redis.disconnect();
  }
}
