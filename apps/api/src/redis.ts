import { Redis } from 'ioredis';
import type { Logger } from './logging/logger';

/**
 * The API's Redis connection. It connects in the background and reconnects forever: a Redis outage
 * makes /readyz fail (taking the instance out of rotation) instead of crashing or blocking startup.
 */
export function createRedisClient(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    connectionName: 'agentflow-api',
    // Fail commands fast while disconnected instead of queueing them for 20 retries.
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
  });
  // Log transitions, not every reconnect attempt (one per ~2 s while Redis is down).
  let healthy = true;
  redis.on('error', (err) => {
    if (!healthy) return;
    healthy = false;
    logger.warn({ err }, 'redis connection error; reconnecting in the background');
  });
  redis.on('ready', () => {
    if (!healthy) logger.info('redis connection restored');
    healthy = true;
  });
  return redis;
}

/** QUIT when connected (lets pending replies arrive), otherwise drop the socket and stop retrying. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // Fall through to a hard disconnect.
    }
  }
  redis.disconnect(false);
}
