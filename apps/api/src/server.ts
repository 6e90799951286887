import { join } from 'node:path';
import { createDb, type Database, migrate } from '@agentflow/db';
import { createEventBus, createQueueDriver, type EventBus, type QueueDriver } from '@agentflow/queue';
import closeWithGrace from 'close-with-grace';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { type App, buildApp } from './app';
import type { AppConfig } from './config/env';
import { createLogger, type Logger } from './logging/logger';
import { closeRedis, createRedisClient } from './redis';

export interface StartOptions {
  logger?: Logger | undefined;
  /** Passed to buildApp; only the shutdown test's fixture uses it (to mount a slow route). */
  plugins?: FastifyPluginAsyncZod[] | undefined;
}

export interface RunningServer {
  app: App;
  url: string;
}

// After the drain budget, closing Redis and the database gets this long before the process is killed.
const CLEANUP_BUDGET_MS = 5000;

/** `DATA_DIR/pglite`, or the in-memory marker unchanged. */
export function pgliteDataDir(dataDir: string): string {
  return dataDir.startsWith('memory://') ? dataDir : join(dataDir, 'pglite');
}

/**
 * Opens the database (migrating it unless MIGRATE_ON_START=false), connects Redis when configured,
 * listens, and installs the SIGTERM/SIGINT handler that drains and closes everything.
 */
export async function startServer(config: AppConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const dataDir = config.databaseUrl ? undefined : pgliteDataDir(config.dataDir);
  if (!config.databaseUrl && config.nodeEnv === 'production') {
    logger.warn(
      { dataDir },
      'DATABASE_URL is not set: using the embedded database, not meant for production',
    );
  }

  // Every request runs as the app role (RLS applies); migrate() below still runs as the connecting
  // user. postgres.js connects lazily, so the role (created by the migrations) need not exist yet.
  const database = await createDb({ databaseUrl: config.databaseUrl, dataDir, role: config.databaseAppRole });
  let redis: Redis | undefined;
  let queue: QueueDriver | undefined;
  let events: EventBus | undefined;
  let app: App | undefined;
  try {
    logger.info({ driver: database.driver, dataDir, role: database.role }, 'database opened');
    if (config.migrateOnStart) {
      const started = performance.now();
      await migrate(database);
      logger.info({ ms: Math.round(performance.now() - started) }, 'migrations applied');
    }
    redis = config.redisUrl ? createRedisClient(config.redisUrl, logger) : undefined;
    // With Redis, executions go to BullMQ for apps/worker; without, buildApp runs them inline.
    if (config.redisUrl) {
      queue = createQueueDriver({
        redisUrl: config.redisUrl,
        prefix: config.queuePrefix,
        logger: logger.child({ component: 'queue' }),
      });
      events = createEventBus({ redisUrl: config.redisUrl, logger: logger.child({ component: 'events' }) });
    }
    app = await buildApp({ config, database, redis, logger, plugins: options.plugins, queue, events });
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app?.close().catch(() => {});
    await queue?.close({ timeoutMs: 0 }).catch(() => {});
    await events?.close().catch(() => {});
    if (redis) await closeRedis(redis);
    await database.close().catch(() => {});
    throw error;
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, port, docs: `${url}/docs` }, 'api listening');

  installShutdown({ app, database, redis, queue, events, logger, config });
  return { app, url };
}

interface Resources {
  app: App;
  database: Database;
  redis: Redis | undefined;
  queue?: QueueDriver | undefined;
  events?: EventBus | undefined;
  logger: Logger;
  config: AppConfig;
}

function installShutdown(resources: Resources): void {
  const { logger, config } = resources;
  closeWithGrace(
    {
      // Hard backstop; the drain itself is bounded by SHUTDOWN_TIMEOUT_MS inside shutdown().
      delay: config.shutdownTimeoutMs + CLEANUP_BUDGET_MS,
      logger: { error: (message: unknown) => logger.error({ detail: message }, 'shutdown error') },
    },
    async ({ signal, err }) => {
      if (err) logger.fatal({ err }, 'uncaught error; shutting down');
      else logger.info({ signal }, 'shutdown requested; draining');
      await shutdown(resources);
    },
  );
}

/**
 * Stop accepting connections, let in-flight requests finish (up to SHUTDOWN_TIMEOUT_MS), then close
 * Redis and the database. Rejects (exit code 1) when requests had to be cut off.
 */
async function shutdown({ app, database, redis, queue, events, logger, config }: Resources): Promise<void> {
  const closing = app.close();
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    closing.then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), config.shutdownTimeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (!drained) {
    logger.warn(
      { timeoutMs: config.shutdownTimeoutMs },
      'in-flight requests exceeded the shutdown timeout; cutting them off',
    );
    app.server.closeAllConnections();
    await closing;
  }
  await queue
    ?.close({ timeoutMs: 1000 })
    .catch((err: unknown) => logger.error({ err }, 'closing the queue failed'));
  await events?.close().catch((err: unknown) => logger.error({ err }, 'closing the event bus failed'));
  if (redis) await closeRedis(redis);
  await database.close();
  if (!drained) throw new Error('shutdown timed out; in-flight requests were cut off');
  logger.info('shutdown complete');
}
