import { z } from 'zod';
import { pageSchema, paginationQuerySchema } from './pagination';

/**
 * Documents of a knowledge base and their ingestion (issue 7): upload (multipart, several files), a URL
 * or pasted text becomes a `pending` document; the `ingestion` queue loads, parses, splits, embeds and
 * stores its chunks, ending `ready` (chunk_count, processed_at) or `failed` (error). Wire format is
 * snake_case.
 */

const timestamp = z.iso.datetime();

export const documentSourceTypes = ['upload', 'url', 'text'] as const;
export const documentSourceTypeSchema = z.enum(documentSourceTypes);
export type DocumentSourceType = z.infer<typeof documentSourceTypeSchema>;

export const knowledgeDocumentStatuses = ['pending', 'processing', 'ready', 'failed'] as const;
export const knowledgeDocumentStatusSchema = z.enum(knowledgeDocumentStatuses);
export type KnowledgeDocumentStatus = z.infer<typeof knowledgeDocumentStatusSchema>;

export const knowledgeDocumentSchema = z
  .object({
    id: z.uuid(),
    knowledge_base_id: z.uuid(),
    name: z.string(),
    source_type: documentSourceTypeSchema,
    source_url: z.string().nullable(),
    /** Detected format: text, markdown, html, pdf, csv, json, docx (or the upload's MIME type when unknown). */
    file_type: z.string().nullable(),
    size_bytes: z.number().int().nullable(),
    status: knowledgeDocumentStatusSchema,
    /** Why ingestion failed (readable; null unless `failed`). */
    error: z.string().nullable(),
    chunk_count: z.number().int(),
    /** sha256 (hex) of the content; the same file uploaded again into the same base is deduplicated. */
    content_hash: z.string().nullable(),
    created_at: timestamp,
    processed_at: timestamp.nullable(),
  })
  .meta({ id: 'KnowledgeDocument' });
export type KnowledgeDocument = z.infer<typeof knowledgeDocumentSchema>;

export const knowledgeDocumentParamsSchema = z.object({ id: z.uuid(), docId: z.uuid() });

export const listKnowledgeDocumentsQuerySchema = paginationQuerySchema.extend({
  status: knowledgeDocumentStatusSchema.optional(),
});
export type ListKnowledgeDocumentsQuery = z.infer<typeof listKnowledgeDocumentsQuerySchema>;
export const knowledgeDocumentPageSchema = pageSchema(knowledgeDocumentSchema);

/** One uploaded file's outcome: `duplicate` = this content was already in the base (that document is returned). */
export const uploadedKnowledgeDocumentSchema = knowledgeDocumentSchema.extend({ duplicate: z.boolean() });
export type UploadedKnowledgeDocument = z.infer<typeof uploadedKnowledgeDocumentSchema>;
/** `POST /knowledge-bases/:id/documents` (multipart `files`): one entry per file, in upload order. */
export const uploadKnowledgeDocumentsResponseSchema = z.object({
  data: z.array(uploadedKnowledgeDocumentSchema),
});

/** `POST /knowledge-bases/:id/documents/url`: fetched by the ingestion job through the SSRF guard. */
export const addUrlDocumentBodySchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .max(2048, { error: 'must be at most 2048 characters' }),
    /** Display name; default: the URL. */
    name: z.string().trim().min(1).max(255).optional(),
  })
  .strict();
export type AddUrlDocumentBody = z.infer<typeof addUrlDocumentBodySchema>;

export const textDocumentFormats = ['text', 'markdown'] as const;

/** `POST /knowledge-bases/:id/documents/text`: pasted text (Markdown is split on its structure). */
export const addTextDocumentBodySchema = z
  .object({
    name: z.string().trim().min(1).max(255),
    text: z.string().min(1, { error: 'must not be empty' }),
    format: z.enum(textDocumentFormats).default('text'),
  })
  .strict();
export type AddTextDocumentBody = z.infer<typeof addTextDocumentBodySchema>;

/** `POST .../documents/:docId/reindex` and `POST /knowledge-bases/:id/reindex`: the documents queued again. */
export const reindexResponseSchema = z.object({ queued: z.number().int(), document_ids: z.array(z.uuid()) });
export type ReindexResponse = z.infer<typeof reindexResponseSchema>;

/**
 * Live ingestion progress, published on the event bus channel `knowledge:{knowledge_base_id}` (the web
 * app subscribes through the API): `progress` goes 0 -> 1 while `processing`; the last message of a run
 * is `ready` (progress 1, chunk_count) or `failed` (error).
 */
export const knowledgeDocumentEventSchema = z.object({
  document_id: z.uuid(),
  status: knowledgeDocumentStatusSchema,
  progress: z.number().min(0).max(1),
  chunk_count: z.number().int().optional(),
  error: z.string().optional(),
});
export type KnowledgeDocumentEvent = z.infer<typeof knowledgeDocumentEventSchema>;

export const knowledgeChannel = (knowledgeBaseId: string) => `knowledge:${knowledgeBaseId}`;
