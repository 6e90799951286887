import { documents } from '@agentflow/db/schema';
import { type SQL, sql } from 'drizzle-orm';

/**
 * Ingestion bookkeeping lives in `documents.metadata` (never returned by the API), so recovery needs no
 * extra columns:
 * - `ingestion_run`: the run holding the claim of a `processing` document (its final write checks it);
 * - `ingestion_lease_until`: until when that claim is valid (database clock); renewed while it runs;
 * - `ingestion_delivery`: n of the document's current delivery job id ({@link ingestionJobId}); only
 *   ever grows, because a re-used id would be dropped by the queue while the old job is retained (24 h);
 * - `ingestion_recoveries`: lost runs taken over since the last upload / re-index / outcome.
 */
export const ingestionKeys = {
  run: 'ingestion_run',
  leaseUntil: 'ingestion_lease_until',
  delivery: 'ingestion_delivery',
  recoveries: 'ingestion_recoveries',
} as const;

/** How long a claim lives without renewal unless configured: a dead worker's document waits this long. */
export const DEFAULT_INGESTION_LEASE_MS = 60_000;

/**
 * The job id of a document's `delivery`-th ingestion job: the document id for the first (upload), then
 * `{id}.{n}` (re-index, recovery). Deterministic, so "is this delivery still queued?" is a lookup, and
 * two recoveries racing for the same delivery enqueue one job.
 */
export function ingestionJobId(documentId: string, delivery = 0): string {
  return delivery === 0 ? documentId : `${documentId}.${delivery}`;
}

const intervalMs = (ms: number) => sql`make_interval(secs => ${ms / 1000})`;

/** `metadata` with a fresh claim for `runId`, valid `leaseMs` from now. */
export function claimedMetadata(runId: string, leaseMs: number): SQL {
  return sql`${documents.metadata} || jsonb_build_object(${ingestionKeys.run}::text, ${runId}::text, ${ingestionKeys.leaseUntil}::text, now() + ${intervalMs(leaseMs)})`;
}

/** `metadata` with the claim's lease moved to `leaseMs` from now. */
export function renewedMetadata(leaseMs: number): SQL {
  return sql`jsonb_set(${documents.metadata}, ${`{${ingestionKeys.leaseUntil}}`}::text[], to_jsonb(now() + ${intervalMs(leaseMs)}))`;
}

/** `metadata` without the claim (run and lease). */
export function unclaimedMetadata(): SQL {
  return sql`(${documents.metadata} - ${ingestionKeys.run}::text - ${ingestionKeys.leaseUntil}::text)`;
}

/** `metadata` without the claim and the recovery count: the document reached an outcome. */
export function settledMetadata(): SQL {
  return sql`(${unclaimedMetadata()} - ${ingestionKeys.recoveries}::text)`;
}

/** The current delivery number (0 when never re-delivered). */
export const currentDelivery: SQL<number> = sql<number>`coalesce((${documents.metadata}->>${ingestionKeys.delivery}::text)::int, 0)`;

/** The number of lost runs taken over so far. */
export const currentRecoveries: SQL<number> = sql<number>`coalesce((${documents.metadata}->>${ingestionKeys.recoveries}::text)::int, 0)`;

/** `metadata` with the delivery number incremented (the caller enqueues `ingestionJobId(id, n + 1)`). */
export function nextDeliveryMetadata(base: SQL = sql`${documents.metadata}`): SQL {
  return sql`${base} || jsonb_build_object(${ingestionKeys.delivery}::text, ${currentDelivery} + 1)`;
}

/**
 * A `processing` document whose claim expired: its worker died or hung. A claim made before leases
 * existed (no `ingestion_lease_until`) counts from the row's last update.
 */
export function claimExpired(fallbackLeaseMs: number): SQL {
  return sql`coalesce((${documents.metadata}->>${ingestionKeys.leaseUntil}::text)::timestamptz, ${documents.updatedAt} + ${intervalMs(fallbackLeaseMs)}) < now()`;
}
