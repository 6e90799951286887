import { z } from 'zod';
import { paginationQuerySchema } from './pagination';

/**
 * Knowledge bases and retrieval (issue 7): a base holds documents, split into chunks with an embedding
 * (HNSW, cosine) and a tsvector (GIN). Queries search the caller's org only; another org's base is a
 * 404 `KNOWLEDGE_BASE_NOT_FOUND`. Wire format is snake_case.
 */

const timestamp = z.iso.datetime();

/**
 * Embedding models a base may use. Stored vectors have 1536 dimensions: narrower models are padded with
 * zeros (cosine distance unchanged), wider ones are asked for 1536 dimensions. `local-hash-1536` runs
 * offline in the process (the default); `text-embedding-*` use the org's OpenAI key;
 * `openai-compatible:<model>` goes to the org's Ollama / OpenAI-compatible model `<model>`.
 */
export const knownEmbeddingModels = [
  'text-embedding-3-small',
  'text-embedding-3-large',
  'text-embedding-ada-002',
  'local-hash-1536',
] as const;
/** The built-in offline model (feature hashing, lexical): works without any provider key. */
export const defaultEmbeddingModel = 'local-hash-1536';

export const embeddingModelSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine(
    (value) =>
      (knownEmbeddingModels as readonly string[]).includes(value) ||
      /^openai-compatible:[A-Za-z0-9._:/-]{1,80}$/.test(value),
    {
      error: `must be one of ${knownEmbeddingModels.join(', ')} or openai-compatible:<model>`,
    },
  );

const nameSchema = z.string().trim().min(1).max(255);
const descriptionSchema = z.string().max(5000);
const chunkSizeSchema = z.number().int().min(100).max(8000);
const chunkOverlapSchema = z.number().int().min(0).max(7999);

function overlapBelowSize(
  body: { chunk_size?: number | undefined; chunk_overlap?: number | undefined },
  ctx: z.RefinementCtx,
) {
  if (
    body.chunk_size !== undefined &&
    body.chunk_overlap !== undefined &&
    body.chunk_overlap >= body.chunk_size
  ) {
    ctx.addIssue({ code: 'custom', path: ['chunk_overlap'], message: 'must be smaller than chunk_size' });
  }
}

export const createKnowledgeBaseBodySchema = z
  .object({
    name: nameSchema,
    description: descriptionSchema.nullable().optional(),
    embedding_model: embeddingModelSchema.default(defaultEmbeddingModel),
    chunk_size: chunkSizeSchema.default(1000),
    chunk_overlap: chunkOverlapSchema.default(200),
  })
  .strict()
  .superRefine(overlapBelowSize);
export type CreateKnowledgeBaseBody = z.infer<typeof createKnowledgeBaseBodySchema>;

/**
 * Every field optional. A new `chunk_overlap` is checked against the new or the stored `chunk_size` (the
 * service checks the stored one). Changing `embedding_model` or chunking applies to documents ingested
 * afterwards; existing chunks keep their vectors until re-ingested.
 */
export const updateKnowledgeBaseBodySchema = z
  .object({
    name: nameSchema.optional(),
    description: descriptionSchema.nullable().optional(),
    embedding_model: embeddingModelSchema.optional(),
    chunk_size: chunkSizeSchema.optional(),
    chunk_overlap: chunkOverlapSchema.optional(),
  })
  .strict()
  .superRefine(overlapBelowSize)
  .refine((body) => Object.keys(body).length > 0, { error: 'provide at least one field to change' });
export type UpdateKnowledgeBaseBody = z.infer<typeof updateKnowledgeBaseBodySchema>;

export const knowledgeBaseSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    embedding_model: z.string(),
    chunk_size: z.number().int(),
    chunk_overlap: z.number().int(),
    document_count: z.number().int(),
    chunk_count: z.number().int(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'KnowledgeBase' });
export type KnowledgeBase = z.infer<typeof knowledgeBaseSchema>;

export const knowledgeBaseParamsSchema = z.object({ id: z.uuid() });

/** `GET /knowledge-bases`: cursor paging, optionally narrowed by a search in name and description. */
export const knowledgeBaseListQuerySchema = paginationQuerySchema.extend({
  search: z.string().trim().min(1).max(200).optional().describe('case-insensitive, in name and description'),
});
export type KnowledgeBaseListQuery = z.infer<typeof knowledgeBaseListQuerySchema>;

export const knowledgeSearchModes = ['vector', 'keyword', 'hybrid'] as const;
export const knowledgeSearchModeSchema = z.enum(knowledgeSearchModes);
export type KnowledgeSearchMode = z.infer<typeof knowledgeSearchModeSchema>;

const querySchema = z.string().trim().min(1).max(10_000);
const topKSchema = z.number().int().min(1).max(50).default(5);

/** `POST /knowledge-bases/:id/query`. `min_score` drops results below it (scores are mode-specific). */
export const knowledgeQueryBodySchema = z
  .object({
    query: querySchema,
    top_k: topKSchema,
    mode: knowledgeSearchModeSchema.default('hybrid'),
    min_score: z.number().min(0).max(1).optional(),
  })
  .strict();
export type KnowledgeQueryBody = z.infer<typeof knowledgeQueryBodySchema>;

/** `POST /knowledge-bases/query`: several of the org's bases at once (unknown or foreign ids: 404). */
export const knowledgeMultiQueryBodySchema = knowledgeQueryBodySchema.extend({
  kb_ids: z
    .array(z.uuid())
    .min(1)
    .max(20)
    .refine((ids) => new Set(ids).size === ids.length, { error: 'must not repeat an id' }),
});
export type KnowledgeMultiQueryBody = z.infer<typeof knowledgeMultiQueryBodySchema>;

/**
 * One retrieved chunk. `score`: vector = cosine similarity (1 - distance); keyword = ts_rank_cd
 * normalized to 0..1; hybrid = reciprocal rank fusion (sum of 1 / (60 + rank)), higher is better.
 */
export const knowledgeSearchResultSchema = z
  .object({
    chunk_id: z.uuid(),
    document_id: z.uuid(),
    document_name: z.string(),
    knowledge_base_id: z.uuid(),
    chunk_index: z.number().int(),
    score: z.number(),
    text: z.string(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'KnowledgeSearchResult' });
export type KnowledgeSearchResult = z.infer<typeof knowledgeSearchResultSchema>;

export const knowledgeQueryResponseSchema = z.object({
  data: z.array(knowledgeSearchResultSchema),
  mode: knowledgeSearchModeSchema,
});
export type KnowledgeQueryResponse = z.infer<typeof knowledgeQueryResponseSchema>;
