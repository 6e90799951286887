import { type Db, withOrg } from '@agentflow/db';
import { documents } from '@agentflow/db/schema';
import { and, eq, sql } from 'drizzle-orm';
import { ingestionKeys, renewedMetadata } from './state';

export interface ClaimLease {
  /** Aborted when the claim was lost: a re-index or a recovery took the document over. */
  readonly lost: AbortSignal;
  /** Stops renewing (the claim itself ends with the run's final write). */
  stop(): void;
}

/**
 * Keeps a run's claim on a `processing` document alive: every third of `leaseMs` it moves
 * `ingestion_lease_until` forward, by compare-and-swap on the run id. While it renews, the recovery
 * sweep leaves the document alone; once the process dies it stops, the lease expires and another
 * worker takes over. Finding the row no longer ours aborts `lost`, so the run stops early instead of
 * computing results its final write would drop anyway. A failed renewal (database blip) is retried on
 * the next tick: the lease has two more before it expires.
 */
export function holdClaim(
  deps: { db: Db; logger?: { warn(obj: object, msg: string): void } | undefined },
  claim: { orgId: string; documentId: string; runId: string; leaseMs: number },
): ClaimLease {
  const lost = new AbortController();
  // One renewal at a time: a slow database must not stack them up.
  let busy = false;
  const renew = async () => {
    try {
      const rows = await withOrg(deps.db, claim.orgId, (tx) =>
        tx
          .update(documents)
          .set({ metadata: renewedMetadata(claim.leaseMs) })
          .where(
            and(
              eq(documents.orgId, claim.orgId),
              eq(documents.id, claim.documentId),
              eq(documents.status, 'processing'),
              sql`${documents.metadata}->>${ingestionKeys.run}::text = ${claim.runId}`,
            ),
          )
          .returning({ id: documents.id }),
      );
      if (rows.length === 0) lost.abort(new Error('the ingestion claim was taken over'));
    } catch (err) {
      deps.logger?.warn({ err, documentId: claim.documentId }, 'renewing an ingestion claim failed');
    }
  };
  const timer = setInterval(
    () => {
      if (busy) return;
      busy = true;
      void renew().finally(() => {
        busy = false;
      });
    },
    Math.max(50, Math.floor(claim.leaseMs / 3)),
  );
  timer.unref?.();
  return {
    lost: lost.signal,
    stop: () => clearInterval(timer),
  };
}
