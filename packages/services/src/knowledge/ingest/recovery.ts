import { type KnowledgeDocumentEvent, knowledgeChannel } from '@agentflow/contracts';
import { asSystem, type Db, withOrg } from '@agentflow/db';
import { documents } from '@agentflow/db/schema';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { IngestionQueue } from './documents';
import type { IngestionEventPublisher } from './pipeline';
import {
  claimExpired,
  currentDelivery,
  currentRecoveries,
  DEFAULT_INGESTION_LEASE_MS,
  ingestionJobId,
  ingestionKeys,
  nextDeliveryMetadata,
  unclaimedMetadata,
} from './state';

export interface IngestionRecoveryDeps {
  /** The root (app-role) handle: finds documents of every org `asSystem`, changes each in `withOrg`. */
  db: Db;
  queue: IngestionQueue;
  events?: IngestionEventPublisher | undefined;
  /** Lost runs of a document taken over before it fails (default 3). */
  maxRecoveries?: number | undefined;
  /** Claims made before leases existed expire this long after the row's last update (default 60 s). */
  legacyLeaseMs?: number | undefined;
  logger?: { warn(obj: object, msg: string): void } | undefined;
}

export interface IngestionSweepResult {
  /** Lost runs sent back to `pending` with a new delivery. */
  requeued: number;
  /** Documents that reached the recovery cap and are now `failed`. */
  failed: number;
}

const lostReason = (times: number) =>
  `Ingestion was interrupted ${times} times (the process ingesting it stopped before finishing); ` +
  'giving up. Re-index the document to try again.';

/**
 * Takes over `processing` documents whose claim expired (their worker died or hung): back to `pending`
 * with a new delivery, up to `maxRecoveries` times, then `failed` with a readable reason. Each takeover
 * is a compare-and-swap on the expired claim under a row lock (`skip locked`), so many sweepers (one
 * per worker) never take one document twice; the old run, if it still lives, finds its claim gone and
 * stores nothing.
 */
export async function sweepExpiredIngestions(
  deps: IngestionRecoveryDeps,
  limit = 100,
): Promise<IngestionSweepResult> {
  const maxRecoveries = deps.maxRecoveries ?? 3;
  const expired = claimExpired(deps.legacyLeaseMs ?? DEFAULT_INGESTION_LEASE_MS);
  const result: IngestionSweepResult = { requeued: 0, failed: 0 };
  const rows = await asSystem(deps.db, 'ingestion recovery: expired document claims, every org', (tx) =>
    tx
      .select({ id: documents.id, orgId: documents.orgId })
      .from(documents)
      .where(and(eq(documents.status, 'processing'), expired))
      .limit(limit),
  );
  for (const r of rows) {
    const taken = await withOrg(deps.db, r.orgId, async (tx) => {
      const [row] = await tx
        .select({
          knowledgeBaseId: documents.knowledgeBaseId,
          recoveries: currentRecoveries,
          delivery: currentDelivery,
        })
        .from(documents)
        .where(
          and(
            eq(documents.orgId, r.orgId),
            eq(documents.id, r.id),
            eq(documents.status, 'processing'),
            expired,
          ),
        )
        .for('update', { skipLocked: true })
        .limit(1);
      if (!row) return undefined;
      const recoveries = Number(row.recoveries);
      if (recoveries >= maxRecoveries) {
        const error = lostReason(recoveries + 1);
        // The count stays (until a re-index): a stray duplicate delivery that re-claims this failed
        // document and dies again is failed by the next sweep instead of starting a new round.
        await tx
          .update(documents)
          .set({
            status: 'failed',
            errorMessage: error,
            processedAt: new Date(),
            metadata: unclaimedMetadata(),
          })
          .where(eq(documents.id, r.id));
        return { outcome: 'failed' as const, knowledgeBaseId: row.knowledgeBaseId, error };
      }
      const delivery = Number(row.delivery) + 1;
      await tx
        .update(documents)
        .set({
          status: 'pending',
          metadata: sql`${unclaimedMetadata()} || jsonb_build_object(${ingestionKeys.recoveries}::text, ${recoveries + 1}::int, ${ingestionKeys.delivery}::text, ${delivery}::int)`,
        })
        .where(eq(documents.id, r.id));
      return { outcome: 'requeued' as const, knowledgeBaseId: row.knowledgeBaseId, delivery };
    });
    if (!taken) continue;
    if (taken.outcome === 'failed') {
      result.failed++;
      await publish(deps, taken.knowledgeBaseId, {
        document_id: r.id,
        status: 'failed',
        progress: 1,
        error: taken.error,
      });
      continue;
    }
    result.requeued++;
    await publish(deps, taken.knowledgeBaseId, { document_id: r.id, status: 'pending', progress: 0 });
    await deps.queue
      .enqueue(
        'ingestion',
        { document_id: r.id, org_id: r.orgId },
        { jobId: ingestionJobId(r.id, taken.delivery) },
      )
      .catch((err) =>
        deps.logger?.warn(
          { err, documentId: r.id },
          're-delivering a recovered document failed; the pending sweep retries',
        ),
      );
  }
  return result;
}

export interface RecoverPendingDocumentsOptions {
  /** Only documents pending (unchanged) for at least this long. */
  olderThanMs: number;
  /** Whether a job id still waits or runs in the queue (its document is then left alone). */
  isQueued?: ((jobId: string) => Promise<boolean>) | undefined;
  limit?: number;
}

/**
 * Re-enqueues `pending` documents whose delivery is gone: the enqueue failed after the upload
 * committed (Redis down), the inline queue lost its jobs with the process, Redis lost its data, or a
 * shutdown handed the document back. A document whose current job still waits or runs is skipped.
 * The new delivery is claimed by compare-and-swap on the delivery number, so concurrent sweepers
 * enqueue it once; a duplicate delivery would be harmless anyway (the ingestion claim is a CAS).
 */
export async function recoverPendingDocuments(
  deps: IngestionRecoveryDeps,
  options: RecoverPendingDocumentsOptions,
): Promise<number> {
  const rows = await asSystem(
    deps.db,
    'ingestion recovery: pending documents without a delivery, every org',
    (tx) =>
      tx
        .select({ id: documents.id, orgId: documents.orgId, delivery: currentDelivery })
        .from(documents)
        .where(
          and(
            eq(documents.status, 'pending'),
            lt(documents.updatedAt, sql`now() - make_interval(secs => ${options.olderThanMs / 1000})`),
          ),
        )
        .orderBy(documents.createdAt)
        .limit(options.limit ?? 500),
  );
  let enqueued = 0;
  for (const r of rows) {
    const delivery = Number(r.delivery);
    if (options.isQueued && (await options.isQueued(ingestionJobId(r.id, delivery)).catch(() => false))) {
      continue;
    }
    const [bumped] = await withOrg(deps.db, r.orgId, (tx) =>
      tx
        .update(documents)
        .set({ metadata: nextDeliveryMetadata() })
        .where(
          and(
            eq(documents.orgId, r.orgId),
            eq(documents.id, r.id),
            eq(documents.status, 'pending'),
            sql`${currentDelivery} = ${delivery}`,
          ),
        )
        .returning({ id: documents.id }),
    );
    if (!bumped) continue;
    await deps.queue
      .enqueue(
        'ingestion',
        { document_id: r.id, org_id: r.orgId },
        { jobId: ingestionJobId(r.id, delivery + 1) },
      )
      .then(() => enqueued++)
      .catch((err) =>
        deps.logger?.warn({ err, documentId: r.id }, 're-enqueueing a pending document failed'),
      );
  }
  return enqueued;
}

async function publish(deps: IngestionRecoveryDeps, knowledgeBaseId: string, event: KnowledgeDocumentEvent) {
  if (!deps.events) return;
  try {
    await deps.events.publish(knowledgeChannel(knowledgeBaseId), JSON.stringify(event));
  } catch (err) {
    // Progress is best effort: the document row is the truth.
    deps.logger?.warn({ err, documentId: event.document_id }, 'publishing a recovered document failed');
  }
}
