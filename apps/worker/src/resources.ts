import { APP_ROLE, createDb, type Database } from '@agentflow/db';
import {
  BullmqQueueDriver,
  createEventBus,
  type EventBus,
  type QueueDriver,
  redactRedisUrl,
} from '@agentflow/queue';
import { createKeyring, type Keyring } from '@agentflow/services';
import type { WorkerEnv } from './config/env';
import type { Logger } from './logger';

export interface WorkerResources {
  queue: QueueDriver;
  database: Database;
  /** One per process: opens LLM keys and integration credentials for the runs it processes. */
  keyring: Keyring;
  /** Redis pub/sub for live execution events (`execution:{id}`). */
  events: EventBus;
}

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  promise.catch(() => {});
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Connects to Redis and the database and proves both answer, so a bad address fails startup with a
 * message naming the variable instead of a worker that looks alive but never processes anything.
 */
export async function connectResources(env: WorkerEnv, logger: Logger): Promise<WorkerResources> {
  // First: a bad MASTER_KEYS should fail before any connection is opened (loadWorkerEnv checked it).
  const keyring = createKeyring(env, { warn: (message) => logger.warn({ component: 'vault' }, message) });
  const queue = new BullmqQueueDriver({
    redisUrl: env.REDIS_URL,
    prefix: env.QUEUE_PREFIX,
    logger: logger.child({ component: 'queue' }),
  });
  try {
    await queue.ping({ timeoutMs: env.STARTUP_TIMEOUT_MS });
  } catch (error) {
    await queue.close({ timeoutMs: 0 });
    throw new StartupError(`REDIS_URL: cannot reach Redis: ${(error as Error).message}`, { cause: error });
  }

  if (!env.DATABASE_URL) {
    logger.warn(
      { dataDir: env.PGLITE_DATA_DIR ?? '(default)' },
      'DATABASE_URL is not set: using embedded PGlite; it is private to this process, so the API cannot share it',
    );
  }
  let database: Database | undefined;
  try {
    // On Postgres the app role: RLS applies, so processors scope their work with withOrg / asSystem
    // (ADR 0005); the API's migrations create the role. An embedded PGlite is private to this process
    // and never migrated by anyone, so the role would not exist there; it holds no other tenant's data.
    database = await createDb({
      databaseUrl: env.DATABASE_URL,
      dataDir: env.PGLITE_DATA_DIR,
      role: env.DATABASE_URL ? APP_ROLE : undefined,
    });
    await within(database.ping(), env.STARTUP_TIMEOUT_MS, 'the database');
  } catch (error) {
    await database?.close().catch(() => {});
    await queue.close({ timeoutMs: 0 });
    const variable = env.DATABASE_URL ? 'DATABASE_URL' : 'PGLITE_DATA_DIR';
    throw new StartupError(`${variable}: cannot open the database: ${(error as Error).message}`, {
      cause: error,
    });
  }

  const events = createEventBus({ redisUrl: env.REDIS_URL, logger: logger.child({ component: 'events' }) });
  logger.info(
    { redis: redactRedisUrl(env.REDIS_URL), queuePrefix: env.QUEUE_PREFIX, database: database.driver },
    'connected',
  );
  return { queue, database, keyring, events };
}
