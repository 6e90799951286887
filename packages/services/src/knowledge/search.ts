import { AppError, type KnowledgeSearchMode, type KnowledgeSearchResult } from '@agentflow/contracts';
import { type Db, rowsOf } from '@agentflow/db';
import type { KnowledgeSearch } from '@agentflow/engine';
import { type SQL, sql } from 'drizzle-orm';
import { inOrg, type ServiceContext } from '../context';
import { resolveKnowledgeBases } from './bases';
import { createEmbedder, type Embedder, type EmbedderDeps } from './embeddings';
import { type ChunkRow, idList, vectorCandidates } from './vector-query';

export {
  endVectorQuery,
  padEmbedding,
  planVectorQuery,
  type VectorPlan,
  vectorCandidates,
  vectorLiteral,
  vectorScanSettings,
  vectorStatement,
} from './vector-query';

/**
 * Retrieval over document_chunks (issue 7, ADR 0007).
 *
 * - vector: cosine distance (`embedding <=> q`) filtered to the org and the bases (vector-query.ts):
 *   an exact scan for bases of up to `exactScanMaxChunks` chunks, otherwise the shared HNSW index with
 *   pgvector 0.8 iterative scans, so a tenant among bigger ones still gets top_k rows.
 * - keyword: `content_tsv` (GIN) matched with the query's lexemes OR-ed (a question rarely has every
 *   word in the answer), or `websearch_to_tsquery` when the query uses its syntax (quotes, `-`, `or`);
 *   ranked by `ts_rank_cd` normalized to 0..1.
 * - hybrid: reciprocal rank fusion (k = 60) of both candidate lists, normalized so that a chunk ranked
 *   first by both scores 1.
 */

export const RRF_K = 60;

/** Embeds one query text with a base's embedding model (1536 or fewer dimensions). */
export type QueryEmbedder = (model: string, text: string, signal?: AbortSignal) => Promise<number[]>;

export interface KnowledgeSearchRequest {
  knowledgeBaseIds: readonly string[];
  query: string;
  topK: number;
  mode: KnowledgeSearchMode;
  minScore?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface KnowledgeSearchDeps {
  embedQuery: QueryEmbedder;
}

const toResult = (row: ChunkRow, score: number): KnowledgeSearchResult => ({
  chunk_id: row.id,
  document_id: row.document_id,
  document_name: row.document_name,
  knowledge_base_id: row.knowledge_base_id,
  chunk_index: Number(row.chunk_index),
  score,
  text: row.content,
  metadata: row.metadata ?? {},
});

/** Whether the text uses websearch syntax worth honoring as such (phrases, exclusions, OR). */
const websearchSyntax = /["]|(^|\s)-\w|\sor\s/i;

function tsQuery(text: string): SQL {
  if (websearchSyntax.test(text)) return sql`websearch_to_tsquery('english', ${text})`;
  // plainto_tsquery ANDs the lexemes; OR them so a chunk matching most of a question still ranks.
  return sql`replace(plainto_tsquery('english', ${text})::text, ' & ', ' | ')::tsquery`;
}

/** Full-text candidates, best first; score = ts_rank_cd / (1 + ts_rank_cd). */
export async function keywordCandidates(
  tx: Db,
  orgId: string,
  kbIds: readonly string[],
  text: string,
  limit: number,
): Promise<ChunkRow[]> {
  const result = await tx.execute(sql`
    with q as (select ${tsQuery(text)} as tsq),
    hits as materialized (
      select c.id, ts_rank_cd(c.content_tsv, q.tsq, 32) as rank
      from document_chunks c, q
      where c.org_id = ${orgId}::uuid
        and c.knowledge_base_id in (${idList(kbIds)})
        and c.content_tsv @@ q.tsq
      order by rank desc, c.id
      limit ${limit}
    )
    select c.id, c.document_id, d.name as document_name, c.knowledge_base_id, c.chunk_index,
           c.content, c.metadata, h.rank::float8 as score
    from hits h
    join document_chunks c on c.id = h.id
    join documents d on d.id = c.document_id
    order by h.rank desc, c.id`);
  return rowsOf<ChunkRow>(result).map((r) => ({ ...r, score: Number(r.score) }));
}

/** Reciprocal rank fusion of ranked lists (ids), normalized to 0..1 (1 = first in every list). */
export function reciprocalRankFusion(lists: readonly (readonly { id: string }[])[], k = RRF_K) {
  const scores = new Map<string, number>();
  for (const list of lists) {
    for (const [i, item] of list.entries()) scores.set(item.id, (scores.get(item.id) ?? 0) + 1 / (k + i + 1));
  }
  const best = lists.length / (k + 1);
  return [...scores.entries()]
    .map(([id, score]) => ({ id, score: score / best }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}

/**
 * Searches the org's bases. Any id that is unknown or another org's: 404 KNOWLEDGE_BASE_NOT_FOUND
 * naming it, before anything is embedded or read. Bases with different embedding models are searched
 * per model (the query is embedded once per model) and merged by score.
 */
export async function searchKnowledge(
  ctx: ServiceContext,
  deps: KnowledgeSearchDeps,
  req: KnowledgeSearchRequest,
): Promise<KnowledgeSearchResult[]> {
  const bases = await inOrg(ctx, (tx) => resolveKnowledgeBases(tx, ctx, req.knowledgeBaseIds));
  const kbIds = bases.map((b) => b.id);
  const candidates = req.mode === 'hybrid' ? Math.min(100, Math.max(20, req.topK * 3)) : req.topK;

  // Embeddings first, outside the transaction: a remote model call must not hold a connection.
  const byModel = new Map<string, string[]>();
  for (const b of bases) byModel.set(b.embeddingModel, [...(byModel.get(b.embeddingModel) ?? []), b.id]);
  const embeddings =
    req.mode === 'keyword'
      ? []
      : await Promise.all(
          [...byModel.entries()].map(async ([model, ids]) => ({
            ids,
            vector: await deps.embedQuery(model, req.query, req.signal),
          })),
        );
  req.signal?.throwIfAborted();

  const results = await inOrg(ctx, async (tx) => {
    let vector: ChunkRow[] = [];
    for (const { ids, vector: q } of embeddings) {
      vector.push(...(await vectorCandidates(tx, ctx.orgId, ids, q, candidates)));
    }
    if (embeddings.length > 1) vector = vector.sort((a, b) => b.score - a.score).slice(0, candidates);
    const keyword =
      req.mode === 'vector' ? [] : await keywordCandidates(tx, ctx.orgId, kbIds, req.query, candidates);

    if (req.mode === 'vector') return vector.map((r) => toResult(r, r.score));
    if (req.mode === 'keyword') return keyword.map((r) => toResult(r, r.score / (1 + r.score)));
    const rows = new Map<string, ChunkRow>();
    for (const r of [...vector, ...keyword]) rows.set(r.id, r);
    return reciprocalRankFusion([vector, keyword]).map((f) => toResult(rows.get(f.id)!, f.score));
  });
  const minScore = req.minScore;
  return (minScore === undefined ? results : results.filter((r) => r.score >= minScore)).slice(0, req.topK);
}

/**
 * The query embedder of a service context: each base's `embedding_model` through `createEmbedder`
 * (org keys / endpoints looked up once per model, the built-in local model offline).
 */
export function createQueryEmbedder(
  ctx: Pick<ServiceContext, 'db' | 'orgId'>,
  deps: Omit<EmbedderDeps, 'ctx'> = {},
): QueryEmbedder {
  const embedders = new Map<string, Embedder>();
  return async (model, text, signal) => {
    let embedder = embedders.get(model);
    if (!embedder) {
      embedder = createEmbedder(model, { ...deps, ctx });
      embedders.set(model, embedder);
    }
    const [vector] = await embedder.embed([text], signal);
    if (!vector) throw new AppError('INTERNAL_ERROR', `Embedding model "${model}" returned no vector.`);
    return vector;
  };
}

/**
 * The engine's KnowledgeSearch for one run: the knowledge node and the agents' knowledge tool search
 * the run's org only (a foreign or unknown base id fails the step with KNOWLEDGE_BASE_NOT_FOUND).
 */
export function createKnowledgeSearch(ctx: ServiceContext, deps: KnowledgeSearchDeps): KnowledgeSearch {
  return {
    async search(req) {
      const results = await searchKnowledge(ctx, deps, {
        knowledgeBaseIds: req.knowledgeBaseIds,
        query: req.query,
        topK: req.topK,
        mode: req.mode ?? 'hybrid',
        minScore: req.minScore,
        signal: req.signal,
      });
      return results.map((r) => ({
        content: r.text,
        score: r.score,
        chunk_id: r.chunk_id,
        document_id: r.document_id,
        document_name: r.document_name,
        knowledge_base_id: r.knowledge_base_id,
        chunk_index: r.chunk_index,
        metadata: r.metadata,
      }));
    },
  };
}
