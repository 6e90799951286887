import {
  type addTextDocumentBodySchema,
  type addUrlDocumentBodySchema,
  type createKnowledgeBaseBodySchema,
  type KnowledgeBase,
  type KnowledgeDocument,
  type KnowledgeDocumentStatus,
  type KnowledgeQueryResponse,
  knowledgeBaseSchema,
  knowledgeDocumentPageSchema,
  knowledgeDocumentSchema,
  type knowledgeMultiQueryBodySchema,
  type knowledgeQueryBodySchema,
  knowledgeQueryResponseSchema,
  type Page,
  pageSchema,
  type ReindexResponse,
  reindexResponseSchema,
  type UpdateKnowledgeBaseBody,
  type UploadedKnowledgeDocument,
  uploadedKnowledgeDocumentSchema,
  uploadKnowledgeDocumentsResponseSchema,
} from '@agentflow/contracts';
import { z } from 'zod';
import type { RequestOptions } from './client';

/** How the client sends a request: the knowledge API only shapes paths and bodies. */
export type Send = <T extends z.ZodType>(
  path: string,
  schema: T,
  init?: RequestOptions,
) => Promise<z.infer<T>>;

/** What the API accepts: defaults (embedding model, chunking, top_k, mode, text format) may be left out. */
export type CreateKnowledgeBaseInput = z.input<typeof createKnowledgeBaseBodySchema>;
export type KnowledgeQueryInput = z.input<typeof knowledgeQueryBodySchema>;
export type KnowledgeMultiQueryInput = z.input<typeof knowledgeMultiQueryBodySchema>;
export type AddUrlDocumentInput = z.input<typeof addUrlDocumentBodySchema>;
export type AddTextDocumentInput = z.input<typeof addTextDocumentBodySchema>;

/** A file to upload: a browser `File`, or bytes with a name (Node). `type` is the MIME type, if known. */
export type UploadFileInput = File | { name: string; data: Blob | Uint8Array; type?: string };

export interface ListOptions {
  cursor?: string | undefined;
  /** 1..100, default 20. */
  limit?: number | undefined;
}

export interface ListBasesOptions extends ListOptions {
  /** Case-insensitive, in name or description (1..200 characters after trimming); the server filters. */
  search?: string | undefined;
}

const basePageSchema = pageSchema(knowledgeBaseSchema);
const noBody = z.unknown();
const BASES = '/api/v1/knowledge-bases';

function listQuery(
  options: ListOptions & { status?: string | undefined; search?: string | undefined },
): string {
  const q = new URLSearchParams();
  if (options.limit !== undefined) q.set('limit', String(options.limit));
  if (options.cursor) q.set('cursor', options.cursor);
  if (options.status) q.set('status', options.status);
  if (options.search) q.set('search', options.search);
  const s = q.toString();
  return s ? `?${s}` : '';
}

function toBlob(file: UploadFileInput): { blob: Blob; name: string } {
  if (file instanceof Blob) return { blob: file, name: file.name };
  const blob =
    file.data instanceof Blob
      ? file.data
      : new Blob([file.data as Uint8Array<ArrayBuffer>], file.type ? { type: file.type } : {});
  return { blob, name: file.name };
}

/**
 * Knowledge-base endpoints. Reading needs membership (API keys: `knowledge:read`); changes need
 * owner/admin/editor (`knowledge:write`). Another org's base or document is a 404
 * (`KNOWLEDGE_BASE_NOT_FOUND`, `DOCUMENT_NOT_FOUND`).
 */
export class KnowledgeApi {
  constructor(private readonly send: Send) {}

  /** The org's bases, newest first, with document and chunk counts; `search` narrows them on the server. */
  listBases(options: ListBasesOptions = {}): Promise<Page<KnowledgeBase>> {
    return this.send(`${BASES}${listQuery(options)}`, basePageSchema);
  }

  getBase(id: string): Promise<KnowledgeBase> {
    return this.send(`${BASES}/${encodeURIComponent(id)}`, knowledgeBaseSchema);
  }

  createBase(body: CreateKnowledgeBaseInput): Promise<KnowledgeBase> {
    return this.send(BASES, knowledgeBaseSchema, { method: 'POST', body });
  }

  /** New chunking or model settings apply to documents ingested afterwards: re-index to apply them. */
  updateBase(id: string, body: UpdateKnowledgeBaseBody): Promise<KnowledgeBase> {
    return this.send(`${BASES}/${encodeURIComponent(id)}`, knowledgeBaseSchema, { method: 'PUT', body });
  }

  /** Deletes the base with its documents, chunks and stored files. */
  async deleteBase(id: string): Promise<void> {
    await this.send(`${BASES}/${encodeURIComponent(id)}`, noBody, { method: 'DELETE' });
  }

  /** Documents, newest first; `status` filters (pending, processing, ready, failed). */
  listDocuments(
    id: string,
    options: ListOptions & { status?: KnowledgeDocumentStatus | undefined } = {},
  ): Promise<Page<KnowledgeDocument>> {
    return this.send(
      `${BASES}/${encodeURIComponent(id)}/documents${listQuery(options)}`,
      knowledgeDocumentPageSchema,
    );
  }

  /**
   * Uploads files in one multipart request; each becomes a `pending` document (or, `duplicate: true`,
   * the document that already holds the same content). A file over the server's per-file limit makes
   * the whole request fail with 413 `PAYLOAD_TOO_LARGE` (`details.file`, `details.max_bytes`).
   */
  async uploadDocuments(id: string, files: UploadFileInput[]): Promise<UploadedKnowledgeDocument[]> {
    const form = new FormData();
    for (const file of files) {
      const { blob, name } = toBlob(file);
      form.append('files', blob, name);
    }
    const res = await this.send(
      `${BASES}/${encodeURIComponent(id)}/documents`,
      uploadKnowledgeDocumentsResponseSchema,
      { method: 'POST', body: form },
    );
    return res.data;
  }

  /** A web page or file by URL, fetched by the ingestion job through the SSRF guard. */
  addUrlDocument(id: string, body: AddUrlDocumentInput): Promise<KnowledgeDocument> {
    return this.send(`${BASES}/${encodeURIComponent(id)}/documents/url`, knowledgeDocumentSchema, {
      method: 'POST',
      body,
    });
  }

  /** Pasted text or Markdown (`format: 'markdown'` splits on its headings). */
  addTextDocument(id: string, body: AddTextDocumentInput): Promise<UploadedKnowledgeDocument> {
    return this.send(`${BASES}/${encodeURIComponent(id)}/documents/text`, uploadedKnowledgeDocumentSchema, {
      method: 'POST',
      body,
    });
  }

  async deleteDocument(id: string, documentId: string): Promise<void> {
    await this.send(
      `${BASES}/${encodeURIComponent(id)}/documents/${encodeURIComponent(documentId)}`,
      noBody,
      { method: 'DELETE' },
    );
  }

  /** Re-ingests one document with the base's current chunking and embedding model. */
  reindexDocument(id: string, documentId: string): Promise<ReindexResponse> {
    return this.send(
      `${BASES}/${encodeURIComponent(id)}/documents/${encodeURIComponent(documentId)}/reindex`,
      reindexResponseSchema,
      { method: 'POST' },
    );
  }

  /** Re-ingests every document of the base. */
  reindexBase(id: string): Promise<ReindexResponse> {
    return this.send(`${BASES}/${encodeURIComponent(id)}/reindex`, reindexResponseSchema, { method: 'POST' });
  }

  /** Searches one base: `mode` vector, keyword or hybrid (default), `top_k` 1..50 (default 5). */
  query(id: string, body: KnowledgeQueryInput): Promise<KnowledgeQueryResponse> {
    return this.send(`${BASES}/${encodeURIComponent(id)}/query`, knowledgeQueryResponseSchema, {
      method: 'POST',
      body,
    });
  }

  /** Searches several of the org's bases at once (`kb_ids`); results merged by score. */
  queryMany(body: KnowledgeMultiQueryInput): Promise<KnowledgeQueryResponse> {
    return this.send(`${BASES}/query`, knowledgeQueryResponseSchema, { method: 'POST', body });
  }
}
