import type { Database } from '@agentflow/db';
import type { EventBus, QueueDriver } from '@agentflow/queue';
import {
  createIngestionRecovery,
  type EndpointPolicy,
  ingestDocument,
  type Keyring,
  type ObjectStorage,
} from '@agentflow/services';
import type { FastifyInstance } from 'fastify';

export interface InlineIngestionOptions {
  queue: QueueDriver;
  events: EventBus;
  database: Database;
  keyring: Keyring;
  storage: ObjectStorage;
  /** Org model endpoints (embeddings) and URL documents (the HTTP node's allow-list). */
  endpointPolicy?: EndpointPolicy | undefined;
  httpPolicy?: EndpointPolicy | undefined;
  maxFileBytes: number;
  shutdownTimeoutMs: number;
  concurrency?: number;
  /** How often documents stuck `pending` or `processing` are recovered (default 15 s). */
  sweepIntervalMs?: number | undefined;
  /** Lease of a document claim (default 60 s); tests shorten it. */
  leaseMs?: number | undefined;
}

/**
 * Embedded mode (no REDIS_URL): the API consumes the inline `ingestion` queue itself with the same
 * pipeline the worker runs (`ingestDocument`: claim by compare-and-swap, parse, split, embed, store,
 * progress on `knowledge:{knowledge_base_id}`). Closing the app waits (bounded) for documents in flight;
 * one still running then is aborted and goes back to `pending`. The same recovery as the worker's runs
 * here: at startup every pending document is re-enqueued (the inline queue lost its jobs with the last
 * process), and periodically a claim left by a process that died is taken over once its lease expired.
 */
export async function consumeIngestionInline(
  app: FastifyInstance,
  options: InlineIngestionOptions,
): Promise<void> {
  const logger = app.log.child({ component: 'ingestion' });
  const deps = {
    db: options.database.db,
    storage: options.storage,
    events: options.events,
    keyring: options.keyring,
    endpointPolicy: options.endpointPolicy,
    httpPolicy: options.httpPolicy,
    maxFileBytes: options.maxFileBytes,
    leaseMs: options.leaseMs,
    logger,
  };
  const recovery = createIngestionRecovery({
    db: options.database.db,
    queue: options.queue,
    events: options.events,
    sweepIntervalMs: options.sweepIntervalMs,
    legacyLeaseMs: options.leaseMs,
    logger: app.log.child({ component: 'ingestion-recovery' }),
  });
  const consumer = await options.queue.consume(
    'ingestion',
    async (payload, job) => {
      const result = await ingestDocument(
        deps,
        { orgId: payload.org_id, documentId: payload.document_id },
        job.signal,
      );
      logger.debug({ documentId: payload.document_id, jobId: job.jobId, ...result }, 'ingestion job done');
    },
    {
      concurrency: options.concurrency ?? 2,
      listener: { onFailed: (job, err) => logger.error({ ...job, err }, 'ingestion job failed') },
    },
  );
  await recovery.start();
  app.addHook('onClose', async () => {
    await recovery.stop();
    await consumer.close({ timeoutMs: options.shutdownTimeoutMs });
  });
}
