import { AppError } from '@agentflow/contracts';
import { type Db, rowsOf } from '@agentflow/db';
import { EMBEDDING_DIMENSIONS } from '@agentflow/db/schema';
import { type SQL, sql } from 'drizzle-orm';

/**
 * The vector side of retrieval (ADR 0007): the `limit` nearest chunks of some bases, either by an exact
 * scan of their chunks or by a walk of the shared HNSW index (half precision, re-ranked at full
 * precision), chosen per query from a bounded count.
 *
 * Measured on the bench data (bench/RESULTS.md, `pnpm bench:rag`; ADR 0007): an exact scan costs ~10 µs
 * per chunk, nearly all of it reading the TOASTed 6 KB vector, so 7,600 chunks take 50-110 ms; an HNSW
 * walk reads 1,000-2,000 index pages whatever the base's size, and more for a base under ~1% of the
 * index (it iterates past other tenants' rows). The two cross at about 1,000 chunks.
 */
export const vectorScanSettings = {
  iterativeScan: 'relaxed_order' as 'relaxed_order' | 'strict_order' | 'off',
  /**
   * Candidate list size (at least 2x the rows asked for). What recall depends on most, build after
   * build, on the bench data (ADR 0007): the largest tenant's recall@10 was 0.946-0.994 at 100 and
   * 0.977-0.997 at 400 (index of migration 0004, three builds), for ~4 ms more per HNSW query.
   */
  minEfSearch: 400,
  /** How many tuples an iterative scan may visit before giving up (pgvector default 20,000). */
  maxScanTuples: 50_000,
  /** Bases holding at most this many chunks (together) are searched exactly: recall 1.0. */
  exactScanMaxChunks: 1_000,
};

/** Zero-pads a narrower embedding to the stored width; cosine distance is unchanged by zero padding. */
export function padEmbedding(vector: readonly number[]): number[] {
  if (vector.length === EMBEDDING_DIMENSIONS) return [...vector];
  if (vector.length > EMBEDDING_DIMENSIONS || vector.length === 0) {
    throw new AppError(
      'INTERNAL_ERROR',
      `Embedding has ${vector.length} dimensions; knowledge bases store ${EMBEDDING_DIMENSIONS}.`,
    );
  }
  return [...vector, ...new Array<number>(EMBEDDING_DIMENSIONS - vector.length).fill(0)];
}

export const vectorLiteral = (vector: readonly number[]) => `[${padEmbedding(vector).join(',')}]`;

export const idList = (ids: readonly string[]) =>
  sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  );

const chunkFilter = (orgId: string, kbIds: readonly string[]) =>
  sql`c.org_id = ${orgId}::uuid and c.knowledge_base_id in (${idList(kbIds)}) and c.embedding is not null`;

/** Planner settings the HNSW plan changes for its one statement, put back right after it. */
const plannerSettings = ['enable_seqscan', 'enable_bitmapscan', 'enable_sort', 'jit'] as const;
type PlannerSettings = Record<(typeof plannerSettings)[number], string>;

export interface VectorPlan {
  exact: boolean;
  /** The bases' chunks with an embedding, counted up to `exactScanMaxChunks + 1` (never further). */
  chunks: number;
  /** HNSW only: the planner settings as they were before, restored by {@link endVectorQuery}. */
  restore?: PlannerSettings;
}

/**
 * Chooses the plan for one vector query and, for HNSW, applies its settings with SET LOCAL, in one
 * round trip:
 * - The count stops at `exactScanMaxChunks + 1` rows: a full `count(*)` of a 30,000-chunk base cost
 *   more than the HNSW walk it was deciding on.
 * - HNSW settings: iterative scan, `ef_search`, `max_scan_tuples` (pgvector 0.8). Sequential, bitmap
 *   and sort plans are switched off because Postgres ignores out-of-line (TOAST) storage in its costs:
 *   left alone it chose "bitmap scan + sort" for bases of up to ~13% of the table, 50-300 ms where
 *   the HNSW walk takes 5-15 ms. JIT goes off because those disabled plans carry a huge cost that
 *   crosses `jit_above_cost`: ~250 ms of LLVM compilation for a 5 ms query.
 * The previous planner settings are read in the `offset 0` subquery, before the outer select changes
 * them; `endVectorQuery` puts them back so the rest of the transaction (keyword search needs bitmap
 * scans on its GIN index) plans normally.
 */
export async function planVectorQuery(
  tx: Db,
  orgId: string,
  kbIds: readonly string[],
  limit: number,
): Promise<VectorPlan> {
  const max = vectorScanSettings.exactScanMaxChunks;
  const ef = Math.min(1000, Math.max(vectorScanSettings.minEfSearch, limit * 2));
  const [row] = rowsOf<{ n: number } & PlannerSettings>(
    await tx.execute(sql`
      select s.*,
             case when s.n > ${max} then concat(
               set_config('hnsw.iterative_scan', ${vectorScanSettings.iterativeScan}, true),
               set_config('hnsw.ef_search', ${String(ef)}, true),
               set_config('hnsw.max_scan_tuples', ${String(vectorScanSettings.maxScanTuples)}, true),
               set_config('enable_seqscan', 'off', true),
               set_config('enable_bitmapscan', 'off', true),
               set_config('enable_sort', 'off', true),
               set_config('jit', 'off', true)) end as applied
      from (
        select (select count(*)::int from (
                  select 1 from document_chunks c where ${chunkFilter(orgId, kbIds)} limit ${max + 1}
                ) capped) as n,
               ${sql.join(
                 plannerSettings.map((name) => sql`current_setting(${name}) as ${sql.identifier(name)}`),
                 sql`, `,
               )}
        offset 0
      ) s`),
  );
  if (!row) throw new Error('vector plan: no row');
  const chunks = Number(row.n);
  if (chunks <= max) return { exact: true, chunks };
  const restore = Object.fromEntries(plannerSettings.map((name) => [name, row[name]])) as PlannerSettings;
  return { exact: false, chunks, restore };
}

/** Puts back the planner settings an HNSW plan changed (no-op for an exact plan). */
export async function endVectorQuery(tx: Db, plan: VectorPlan): Promise<void> {
  if (!plan.restore) return;
  await tx.execute(
    sql`select ${sql.join(
      Object.entries(plan.restore).map(([name, value]) => sql`set_config(${name}, ${value}, true)`),
      sql`, `,
    )}`,
  );
}

/**
 * What the HNSW index holds (migration 0004): the embedding at half precision. A query must order by
 * this very expression for Postgres to use the index; `EMBEDDING_DIMENSIONS` is a constant, so inlining
 * it as the type modifier is safe (a type modifier cannot be a bind parameter).
 */
const halfvecType = sql.raw(`halfvec(${EMBEDDING_DIMENSIONS})`);
const indexedEmbedding = sql`c.embedding::${halfvecType}`;

/**
 * The nearest-chunks statement. Filters stay inside the materialized CTE (an iterative index scan
 * applies them while it walks); the outer query computes the full-precision distance of the `limit`
 * rows found, re-sorts by it (relaxed-order scans hand rows up slightly out of order, and the index
 * compares at half precision) and fetches the wide columns for those rows only. Exact: full precision
 * throughout, and `+ 0` makes the sort key an expression no index can serve, so the chunks are sorted.
 */
export function vectorStatement(
  orgId: string,
  kbIds: readonly string[],
  embedding: readonly number[],
  limit: number,
  exact: boolean,
): SQL {
  const literal = vectorLiteral(embedding);
  const q = sql`${literal}::vector`;
  const orderBy = exact
    ? sql`(c.embedding <=> ${q}) + 0`
    : sql`${indexedEmbedding} <=> ${literal}::${halfvecType}`;
  return sql`
    with hits as materialized (
      select c.id
      from document_chunks c
      where ${chunkFilter(orgId, kbIds)}
      order by ${orderBy}
      limit ${limit}
    ), ranked as (
      select h.id, c.document_id, c.knowledge_base_id, c.chunk_index, c.content, c.metadata,
             c.embedding <=> ${q} as distance
      from hits h
      join document_chunks c on c.id = h.id
    )
    select r.id, r.document_id, d.name as document_name, r.knowledge_base_id, r.chunk_index,
           r.content, r.metadata, (1 - r.distance)::float8 as score
    from ranked r
    join documents d on d.id = r.document_id
    order by r.distance, r.id`;
}

export type ChunkRow = {
  id: string;
  document_id: string;
  document_name: string;
  knowledge_base_id: string;
  chunk_index: number;
  content: string;
  metadata: Record<string, unknown> | null;
  score: number;
};

/**
 * The `limit` nearest chunks of the bases (one embedding space), nearest first. Runs in the caller's
 * org transaction; score = cosine similarity.
 */
export async function vectorCandidates(
  tx: Db,
  orgId: string,
  kbIds: readonly string[],
  embedding: readonly number[],
  limit: number,
): Promise<ChunkRow[]> {
  const plan = await planVectorQuery(tx, orgId, kbIds, limit);
  const result = await tx.execute(vectorStatement(orgId, kbIds, embedding, limit, plan.exact));
  await endVectorQuery(tx, plan);
  return rowsOf<ChunkRow>(result).map((r) => ({ ...r, score: Number(r.score) }));
}
