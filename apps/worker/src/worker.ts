import type { Database } from '@agentflow/db';
import {
  type ConsumeListener,
  type Consumer,
  type EventBus,
  type JobRef,
  type QueueDriver,
  type QueueName,
  queueNames,
} from '@agentflow/queue';
import {
  createExecutionRuntime,
  createIngestionRecovery,
  type EndpointPolicy,
  type ExecutionRuntime,
  type IngestionRecovery,
  type Keyring,
  type ObjectStorage,
} from '@agentflow/services';
import type { Logger } from './logger';
import { createProcessors, type ProcessorMap } from './processors';
import { startSchedules } from './schedules';

export interface WorkerDeps {
  /** Owned from here on: `close()` closes it. */
  queue: QueueDriver;
  /** Owned from here on: `close()` closes it. */
  database?: Database | undefined;
  logger: Logger;
  /** Jobs processed at once, per queue. */
  concurrency: number;
  /** How long `close()` waits for active jobs before aborting them. */
  shutdownTimeoutMs: number;
  /** For runs: opens LLM keys and integration credentials. */
  keyring?: Keyring | undefined;
  /** Owned from here on: `close()` closes it. Where execution events are published live. */
  events?: EventBus | undefined;
  /** SSRF allow-lists of runs (org model endpoints, HTTP node); safe defaults when absent. */
  endpointPolicy?: EndpointPolicy | undefined;
  httpPolicy?: EndpointPolicy | undefined;
  /** Knowledge-base document files for the ingestion processor (the API's storage). */
  storage?: ObjectStorage | undefined;
  /** Largest URL document download (KNOWLEDGE_MAX_FILE_BYTES). */
  maxFileBytes?: number | undefined;
  /** Defaults to the real processors; tests swap in their own. */
  processors?: ProcessorMap;
  /** Lease, reaper and recovery settings of the executions runtime (ADR 0006). */
  executions?: { leaseMs?: number; sweepIntervalMs?: number; maxRecoveries?: number } | undefined;
  /**
   * Document claims' lease, the recovery sweep's period, lost runs before a document fails, and how
   * long a pending document may wait without a job before it is re-enqueued (defaults 60 s, 15 s, 3, 60 s).
   */
  ingestion?:
    | { leaseMs?: number; sweepIntervalMs?: number; maxRecoveries?: number; stalePendingMs?: number }
    | undefined;
  /** Reconcile period of the schedule triggers' job schedulers (default 10 s). */
  scheduleReconcileMs?: number | undefined;
}

export interface WorkerCloseResult {
  /** All active jobs finished in time and every resource closed without error. */
  clean: boolean;
  timedOut: boolean;
  abandoned: JobRef[];
}

export interface WorkerHandle {
  readonly queues: readonly QueueName[];
  /** Stops taking jobs, waits for active ones (bounded), then closes the queue driver and database. */
  close(): Promise<WorkerCloseResult>;
}

function listenerFor(logger: Logger): ConsumeListener {
  return {
    onCompleted: (job, durationMs) => logger.debug({ ...job, durationMs }, 'job completed'),
    onFailed: (job, err) => logger.error({ ...job, err }, 'job failed'),
  };
}

/**
 * Consumes every queue of the registry with its processor. Iterating the registry (not a hand-kept
 * list) is what guarantees a new queue gets consumed; `ProcessorMap` guarantees it has a processor.
 */
export async function startWorker(deps: WorkerDeps): Promise<WorkerHandle> {
  const { queue, database, logger } = deps;
  // Runs, cancel requests, the lease reaper and approval deadlines: one runtime per process.
  const runtime: ExecutionRuntime | undefined =
    database && deps.keyring
      ? createExecutionRuntime({
          db: database.db,
          llm: { keyring: deps.keyring, endpointPolicy: deps.endpointPolicy, httpPolicy: deps.httpPolicy },
          queue,
          events: deps.events,
          leaseMs: deps.executions?.leaseMs,
          sweepIntervalMs: deps.executions?.sweepIntervalMs,
          maxRecoveries: deps.executions?.maxRecoveries,
          logger: logger.child({ component: 'executions' }),
        })
      : undefined;
  // Documents stuck pending (lost job) or processing (dead worker): only where this process ingests.
  const ingestionRecovery: IngestionRecovery | undefined =
    database && deps.storage
      ? createIngestionRecovery({
          db: database.db,
          queue,
          events: deps.events,
          sweepIntervalMs: deps.ingestion?.sweepIntervalMs,
          maxRecoveries: deps.ingestion?.maxRecoveries,
          stalePendingMs: deps.ingestion?.stalePendingMs,
          legacyLeaseMs: deps.ingestion?.leaseMs,
          logger: logger.child({ component: 'ingestion-recovery' }),
        })
      : undefined;
  const processors =
    deps.processors ??
    createProcessors({
      logger,
      database,
      keyring: deps.keyring,
      events: deps.events,
      endpointPolicy: deps.endpointPolicy,
      httpPolicy: deps.httpPolicy,
      runtime,
      queue,
      storage: deps.storage,
      maxFileBytes: deps.maxFileBytes,
      ingestionLeaseMs: deps.ingestion?.leaseMs,
    });
  const listener = listenerFor(logger);
  const consumers: Consumer[] = [];

  let schedules: Awaited<ReturnType<typeof startSchedules>>;
  const closeEverything = async (): Promise<WorkerCloseResult> => {
    let clean = true;
    await schedules?.close().catch((err: unknown) => logger.error({ err }, 'stopping the schedules failed'));
    // No more sweeps or takeovers from here; active runs drain below (released if they outlive it).
    await runtime
      ?.stop()
      .catch((err: unknown) => logger.error({ err }, 'stopping the executions runtime failed'));
    await ingestionRecovery
      ?.stop()
      .catch((err: unknown) => logger.error({ err }, 'stopping the ingestion recovery failed'));
    const result = await queue.close({ timeoutMs: deps.shutdownTimeoutMs }).catch((err: unknown) => {
      logger.error({ err }, 'closing the queue driver failed');
      clean = false;
      return { timedOut: false, abandoned: [] };
    });
    if (result.timedOut) {
      clean = false;
      logger.warn(
        { abandoned: result.abandoned, shutdownTimeoutMs: deps.shutdownTimeoutMs },
        'active jobs outlived the shutdown timeout and were aborted; abandoned ones fail as stalled in BullMQ and are recovered through Postgres',
      );
    }
    if (deps.events) {
      await deps.events.close().catch((err: unknown) => {
        logger.error({ err }, 'closing the event bus failed');
        clean = false;
      });
    }
    if (database) {
      await database.close().catch((err: unknown) => {
        logger.error({ err }, 'closing the database failed');
        clean = false;
      });
    }
    return { clean, timedOut: result.timedOut, abandoned: result.abandoned };
  };

  const consume = <Q extends QueueName>(name: Q) =>
    queue.consume(name, processors[name], { concurrency: deps.concurrency, listener });

  try {
    for (const name of queueNames) consumers.push(await consume(name));
    await runtime?.start();
    await ingestionRecovery?.start();
    schedules = await startSchedules({ ...deps, intervalMs: deps.scheduleReconcileMs });
  } catch (error) {
    // Half-started: release what is open so the caller can exit cleanly.
    await closeEverything();
    throw error;
  }

  let closing: Promise<WorkerCloseResult> | undefined;
  return {
    queues: consumers.map((consumer) => consumer.queue),
    close: () => {
      closing ??= closeEverything();
      return closing;
    },
  };
}
