import { resolve } from 'node:path';
import { createObjectStorage, storageConfigFromEnv } from '@agentflow/services';
import { loadWorkerEnv, ssrfPolicies, type WorkerEnv } from './config/env';
import { createLogger } from './logger';
import { connectResources } from './resources';
import { installShutdown } from './shutdown';
import { startWorker } from './worker';

/** Process entry: env -> connections -> consumers -> wait for a signal. Every failure exits 1. */
async function main(): Promise<void> {
  let env: WorkerEnv;
  try {
    env = loadWorkerEnv();
  } catch (error) {
    createLogger('info').fatal((error as Error).message);
    process.exit(1);
  }

  const logger = createLogger(env.LOG_LEVEL);
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled promise rejection');
    process.exit(1);
  });

  let resources: Awaited<ReturnType<typeof connectResources>>;
  try {
    resources = await connectResources(env, logger);
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    process.exit(1);
  }

  let worker: Awaited<ReturnType<typeof startWorker>>;
  try {
    worker = await startWorker({
      ...resources,
      logger,
      concurrency: env.WORKER_CONCURRENCY,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      executions: {
        leaseMs: env.EXECUTION_LEASE_MS,
        sweepIntervalMs: env.REAPER_INTERVAL_MS,
        maxRecoveries: env.MAX_RECOVERIES,
      },
      scheduleReconcileMs: env.SCHEDULE_RECONCILE_INTERVAL_MS,
      storage: createObjectStorage(storageConfigFromEnv(env, resolve(env.DATA_DIR))),
      maxFileBytes: env.KNOWLEDGE_MAX_FILE_BYTES,
      ingestion: {
        leaseMs: env.INGESTION_LEASE_MS,
        sweepIntervalMs: env.INGESTION_SWEEP_INTERVAL_MS,
        maxRecoveries: env.INGESTION_MAX_RECOVERIES,
      },
      // Runs (HTTP node, org model endpoints) and URL documents: the API's allow-lists, not stricter.
      ...ssrfPolicies(env),
    });
  } catch (error) {
    logger.fatal({ err: error }, `starting the consumers failed: ${(error as Error).message}`);
    process.exit(1);
  }
  installShutdown({ worker, logger, shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS });
  logger.info({ queues: worker.queues, concurrency: env.WORKER_CONCURRENCY }, 'worker ready');
}

main().catch((error: unknown) => {
  // Anything that escaped the handled paths above (e.g. a consumer failing to start).
  console.error(error);
  process.exit(1);
});
