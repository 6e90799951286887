import { type SQL, sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, uuid, varchar, vector } from 'drizzle-orm/pg-core';
import { createdAt, id, type JsonObject, timestamptz, tsvector, updatedAt } from './columns';
import { organizations, users } from './orgs';

/** Embedding width of text-embedding-3-small; a KB with another model needs its own column/table. */
export const EMBEDDING_DIMENSIONS = 1536;

export const documentStatuses = ['pending', 'processing', 'ready', 'failed'] as const;
export type DocumentStatus = (typeof documentStatuses)[number];

export const knowledgeBases = pgTable(
  'knowledge_bases',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    name: varchar('name', { length: 255 }).notNull(),
    description: text('description'),
    embeddingModel: varchar('embedding_model', { length: 100 }).notNull().default('text-embedding-3-small'),
    chunkSize: integer('chunk_size').notNull().default(1000),
    chunkOverlap: integer('chunk_overlap').notNull().default(200),
    status: varchar('status', { length: 50 }).notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('knowledge_bases_org_created_idx').on(
      t.orgId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
  ],
);

export const documents = pgTable(
  'documents',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    knowledgeBaseId: uuid('knowledge_base_id')
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: 'cascade' }),
    name: varchar('name', { length: 255 }).notNull(),
    // upload | url | text
    sourceType: varchar('source_type', { length: 50 }),
    sourceUrl: text('source_url'),
    filePath: text('file_path'),
    fileType: varchar('file_type', { length: 100 }),
    fileSizeBytes: bigint('file_size_bytes', { mode: 'number' }),
    // sha256 of the content: re-ingesting unchanged content can be skipped.
    contentHash: varchar('content_hash', { length: 64 }),
    // 'pending' until the ingestion job picks it up (PRD default 'processing' predates the queue).
    status: varchar('status', { length: 50 }).$type<DocumentStatus>().notNull().default('pending'),
    errorMessage: text('error_message'),
    chunkCount: integer('chunk_count').notNull().default(0),
    metadata: jsonb('metadata').$type<JsonObject>().notNull().default({}),
    processedAt: timestamptz('processed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('documents_kb_created_idx').on(
      t.knowledgeBaseId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index('documents_org_idx').on(t.orgId),
    index('documents_kb_content_hash_idx').on(t.knowledgeBaseId, t.contentHash),
  ],
);

export const documentChunks = pgTable(
  'document_chunks',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    documentId: uuid('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    knowledgeBaseId: uuid('knowledge_base_id')
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: 'cascade' }),
    content: text('content').notNull(),
    metadata: jsonb('metadata').$type<JsonObject>().notNull().default({}),
    embedding: vector('embedding', { dimensions: EMBEDDING_DIMENSIONS }),
    chunkIndex: integer('chunk_index').notNull(),
    tokenCount: integer('token_count'),
    // Keyword side of hybrid search; maintained by Postgres so it can never drift from content.
    contentTsv: tsvector('content_tsv').generatedAlwaysAs(
      (): SQL => sql`to_tsvector('english'::regconfig, ${documentChunks.content})`,
    ),
    createdAt: createdAt(),
  },
  (t) => [
    // HNSW rather than the PRD's ivfflat: no training step, so it is valid from the first row.
    // Half precision (an expression index; queries order by `embedding::halfvec(1536)`): half the
    // size of a full-precision graph and cheaper to walk, at the same recall (ADR 0007). m 16 keeps
    // inserts as cheap as pgvector's default (their cost grows with m; denser graphs did not buy
    // recall on the bench data, the query's ef_search did); ef_construction 128 instead of 64: somewhat
    // higher recall over several builds for about the same insert cost.
    index('idx_chunks_embedding')
      .using(
        'hnsw',
        sql`(${t.embedding}::halfvec(${sql.raw(String(EMBEDDING_DIMENSIONS))})) halfvec_cosine_ops`,
      )
      .with({ m: 16, ef_construction: 128 }),
    index('document_chunks_tsv_idx').using('gin', t.contentTsv),
    index('document_chunks_document_idx').on(t.documentId, t.chunkIndex),
    index('document_chunks_kb_idx').on(t.knowledgeBaseId),
    index('document_chunks_org_idx').on(t.orgId),
  ],
);
