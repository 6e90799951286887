import type { JobProcessor } from '@agentflow/queue';
import { ingestDocument } from '@agentflow/services';
import type { ProcessorDeps } from './types';

/**
 * Ingests a delivered document (`ingestDocument` in @agentflow/services): claim by compare-and-swap
 * (`pending|failed -> processing`, so a duplicate delivery does nothing), load from storage or the URL
 * (SSRF guard with the HTTP node's allow-list), parse, split, embed in batches (provider failures
 * retried with backoff), replace the chunks and mark it `ready`, or `failed` with the reason. Progress
 * goes to `knowledge:{knowledge_base_id}`. Shutdown aborts through `job.signal`: the document goes
 * back to `pending`. The claim's lease is renewed while it runs; if this process dies, another
 * worker's recovery sweep re-runs the document once the lease expired. Without a database or storage
 * (worker smoke tests) it only records the delivery.
 */
export function createIngestionProcessor(deps: ProcessorDeps): JobProcessor<'ingestion'> {
  const { logger, database, storage } = deps;
  const log = logger.child({ component: 'ingestion' });
  return async (payload, job) => {
    if (!database || !storage) {
      logger.warn(
        { queue: job.queue, jobId: job.jobId, payload },
        'no database or storage: ingestion job not run',
      );
      return;
    }
    const result = await ingestDocument(
      {
        db: database.db,
        storage,
        events: deps.events,
        keyring: deps.keyring,
        endpointPolicy: deps.endpointPolicy,
        httpPolicy: deps.httpPolicy,
        maxFileBytes: deps.maxFileBytes,
        leaseMs: deps.ingestionLeaseMs,
        logger: log,
      },
      { orgId: payload.org_id, documentId: payload.document_id },
      job.signal,
    );
    log.info({ jobId: job.jobId, documentId: payload.document_id, ...result }, 'ingestion job done');
  };
}
