import { randomUUID } from 'node:crypto';
import {
  type AddTextDocumentBody,
  type AddUrlDocumentBody,
  AppError,
  type KnowledgeDocument,
  type ListKnowledgeDocumentsQuery,
  type Page,
  type ReindexResponse,
  type UploadedKnowledgeDocument,
} from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { documents, knowledgeBases } from '@agentflow/db/schema';
import { createSsrfGuard, SsrfError } from '@agentflow/engine';
import { and, desc, eq, sql } from 'drizzle-orm';
import { afterCursor, cursorTimestamp, recordAudit, toPage } from '../../audit';
import { inOrg, type ServiceContext } from '../../context';
import type { EndpointPolicy } from '../../models/endpoint';
import { detectFormat, mimeTypeOf } from '../parsers';
import { documentStorageKey, type ObjectStorage } from '../storage';
import { DEFAULT_MAX_FILE_BYTES, sha256 } from './pipeline';
import { currentDelivery, ingestionJobId, nextDeliveryMetadata, settledMetadata } from './state';

/** What enqueues ingestion jobs (the queue driver fits). */
export interface IngestionQueue {
  enqueue(
    queue: 'ingestion',
    payload: { document_id: string; org_id: string },
    options?: { jobId?: string },
  ): Promise<unknown>;
  /** A job while it waits, runs or is retained (the recovery sweep skips documents still queued). */
  getJob?(queue: 'ingestion', jobId: string): Promise<{ state: string } | undefined>;
}

export interface DocumentServiceDeps {
  storage: ObjectStorage;
  queue: IngestionQueue;
  /** Largest file accepted (KNOWLEDGE_MAX_FILE_BYTES, default 20 MiB): larger is 413. */
  maxFileBytes?: number | undefined;
  /** URL documents: refused at once (422) when the URL resolves to a blocked address. */
  httpPolicy?: EndpointPolicy | undefined;
  /** Told when an enqueue fails (the documents stay `pending`; the recovery sweep delivers them). */
  logger?: { warn(obj: object, msg: string): void } | undefined;
}

export interface UploadFile {
  name: string;
  mimeType?: string | null | undefined;
  bytes: Uint8Array;
}

const columns = {
  id: documents.id,
  knowledgeBaseId: documents.knowledgeBaseId,
  name: documents.name,
  sourceType: documents.sourceType,
  sourceUrl: documents.sourceUrl,
  filePath: documents.filePath,
  fileType: documents.fileType,
  fileSizeBytes: documents.fileSizeBytes,
  status: documents.status,
  errorMessage: documents.errorMessage,
  chunkCount: documents.chunkCount,
  contentHash: documents.contentHash,
  createdAt: documents.createdAt,
  processedAt: documents.processedAt,
};
type DocumentRow = {
  [K in keyof typeof columns]:
    | (typeof columns)[K]['_']['data']
    | ((typeof columns)[K]['_']['notNull'] extends true ? never : null);
};

export function toKnowledgeDocument(row: DocumentRow): KnowledgeDocument {
  return {
    id: row.id,
    knowledge_base_id: row.knowledgeBaseId,
    name: row.name,
    source_type: (row.sourceType ?? 'upload') as KnowledgeDocument['source_type'],
    source_url: row.sourceUrl,
    file_type: row.fileType,
    size_bytes: row.fileSizeBytes === null ? null : Number(row.fileSizeBytes),
    status: row.status,
    error: row.errorMessage,
    chunk_count: row.chunkCount,
    content_hash: row.contentHash,
    created_at: row.createdAt.toISOString(),
    processed_at: row.processedAt ? row.processedAt.toISOString() : null,
  };
}

export const documentNotFound = (id: string) =>
  new AppError('DOCUMENT_NOT_FOUND', `Document ${id} not found.`, { document_id: id });
const baseNotFound = (id: string) =>
  new AppError('KNOWLEDGE_BASE_NOT_FOUND', `Knowledge base ${id} not found.`, { knowledge_base_id: id });

async function assertBase(tx: Db, ctx: ServiceContext, knowledgeBaseId: string): Promise<void> {
  const [base] = await tx
    .select({ id: knowledgeBases.id })
    .from(knowledgeBases)
    .where(and(eq(knowledgeBases.orgId, ctx.orgId), eq(knowledgeBases.id, knowledgeBaseId)));
  if (!base) throw baseNotFound(knowledgeBaseId);
}

/** KNOWLEDGE_BASE_NOT_FOUND unless the base is the context org's (routes check it before reading an upload). */
export async function assertKnowledgeBaseExists(ctx: ServiceContext, knowledgeBaseId: string): Promise<void> {
  await inOrg(ctx, (tx) => assertBase(tx, ctx, knowledgeBaseId));
}

export function fileTooLarge(name: string, maxBytes: number): AppError {
  return new AppError(
    'PAYLOAD_TOO_LARGE',
    `File "${name}" is larger than the ${formatBytes(maxBytes)} limit per file.`,
    { file: name, max_bytes: maxBytes },
  );
}

interface NewDocument {
  name: string;
  sourceType: 'upload' | 'url' | 'text';
  sourceUrl?: string | null;
  fileType: string | null;
  bytes?: Uint8Array;
  contentHash?: string | null;
}

/**
 * Inserts documents (`pending`), deduplicating by content hash within the base: content already in
 * the base (or earlier in the same call) returns that document with `duplicate: true`. Files are
 * stored before the rows commit (a failed insert leaves at most an orphaned file, never a row pointing
 * at nothing); jobs are enqueued after the commit (job id = document id).
 */
async function createDocuments(
  ctx: ServiceContext,
  knowledgeBaseId: string,
  items: NewDocument[],
  deps: DocumentServiceDeps,
): Promise<UploadedKnowledgeDocument[]> {
  const stored: string[] = [];
  try {
    const results = await inOrg(ctx, async (tx) => {
      await assertBase(tx, ctx, knowledgeBaseId);
      const out: UploadedKnowledgeDocument[] = [];
      for (const item of items) {
        if (item.contentHash) {
          // Serialises concurrent uploads of the same content into the same base.
          await tx.execute(
            sql`select pg_advisory_xact_lock(hashtextextended(${`${knowledgeBaseId}:${item.contentHash}`}, 0))`,
          );
          const [existing] = await tx
            .select(columns)
            .from(documents)
            .where(
              and(
                eq(documents.orgId, ctx.orgId),
                eq(documents.knowledgeBaseId, knowledgeBaseId),
                eq(documents.contentHash, item.contentHash),
              ),
            )
            .limit(1);
          if (existing) {
            out.push({ ...toKnowledgeDocument(existing), duplicate: true });
            continue;
          }
        }
        const id = randomUUID();
        let filePath: string | null = null;
        if (item.bytes) {
          filePath = documentStorageKey(ctx.orgId, knowledgeBaseId, id);
          await deps.storage.put(filePath, item.bytes, { contentType: mimeFor(item.fileType) });
          stored.push(filePath);
        }
        const [row] = await tx
          .insert(documents)
          .values({
            id,
            orgId: ctx.orgId,
            knowledgeBaseId,
            name: item.name.slice(0, 255),
            sourceType: item.sourceType,
            sourceUrl: item.sourceUrl ?? null,
            filePath,
            fileType: item.fileType?.slice(0, 100) ?? null,
            fileSizeBytes: item.bytes ? item.bytes.length : null,
            contentHash: item.contentHash ?? null,
            status: 'pending',
          })
          .returning(columns);
        await recordAudit(tx, ctx, {
          action: 'document.created',
          resourceType: 'document',
          resourceId: id,
          details: { knowledge_base_id: knowledgeBaseId, name: row!.name, source_type: item.sourceType },
        });
        out.push({ ...toKnowledgeDocument(row!), duplicate: false });
      }
      return out;
    });
    const fresh = results.filter((doc) => !doc.duplicate).map((doc) => ({ id: doc.id, delivery: 0 }));
    await enqueueIngestion(ctx, fresh, deps);
    return results;
  } catch (error) {
    // Rolled back: remove the files stored for rows that never committed.
    await Promise.all(stored.map((key) => deps.storage.delete(key).catch(() => undefined)));
    throw error;
  }
}

/** Several files at once; each over the size limit makes the whole call 413 (nothing stored). */
export async function uploadDocuments(
  ctx: ServiceContext,
  knowledgeBaseId: string,
  files: UploadFile[],
  deps: DocumentServiceDeps,
): Promise<UploadedKnowledgeDocument[]> {
  const max = deps.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (files.length === 0) {
    throw new AppError('VALIDATION_ERROR', 'Attach at least one file.', {
      fields: [{ path: 'body.files', message: 'at least one file is required' }],
    });
  }
  for (const file of files) if (file.bytes.length > max) throw fileTooLarge(file.name, max);
  return createDocuments(
    ctx,
    knowledgeBaseId,
    files.map((file) => ({
      name: file.name || 'untitled',
      sourceType: 'upload' as const,
      // Unsupported formats are kept (as their MIME type) and fail at ingestion with a readable error.
      fileType:
        detectFormat({ name: file.name, mimeType: file.mimeType, bytes: file.bytes }) ??
        file.mimeType?.split(';')[0] ??
        null,
      bytes: file.bytes,
      contentHash: sha256(file.bytes),
    })),
    deps,
  );
}

/** Pasted text (or Markdown); deduplicated like files. */
export async function addTextDocument(
  ctx: ServiceContext,
  knowledgeBaseId: string,
  body: AddTextDocumentBody,
  deps: DocumentServiceDeps,
): Promise<UploadedKnowledgeDocument> {
  const bytes = Buffer.from(body.text, 'utf8');
  const max = deps.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (bytes.length > max) throw fileTooLarge(body.name, max);
  const [doc] = await createDocuments(
    ctx,
    knowledgeBaseId,
    [{ name: body.name, sourceType: 'text', fileType: body.format, bytes, contentHash: sha256(bytes) }],
    deps,
  );
  return doc!;
}

/**
 * A web page or file by URL: fetched by the ingestion job through the HTTP node's SSRF guard (and
 * checked here first, so a private address is a 422 at once). The content hash is set after the fetch.
 */
export async function addUrlDocument(
  ctx: ServiceContext,
  knowledgeBaseId: string,
  body: AddUrlDocumentBody,
  deps: DocumentServiceDeps,
): Promise<KnowledgeDocument> {
  // Another org's base is a 404 before anything about the URL is said.
  await assertKnowledgeBaseExists(ctx, knowledgeBaseId);
  try {
    await createSsrfGuard(deps.httpPolicy ?? {}).check(new URL(body.url));
  } catch (error) {
    if (error instanceof SsrfError) {
      throw new AppError('VALIDATION_ERROR', `url is not allowed: ${error.message}`, {
        fields: [{ path: 'body.url', message: error.message, code: 'url_not_allowed' }],
      });
    }
    // A name that does not resolve (yet) is not an SSRF: the job checks again and fails the document.
  }
  const [doc] = await createDocuments(
    ctx,
    knowledgeBaseId,
    [{ name: body.name ?? body.url, sourceType: 'url', sourceUrl: body.url, fileType: null }],
    deps,
  );
  const { duplicate: _, ...view } = doc!;
  return view;
}

export async function listDocuments(
  ctx: ServiceContext,
  knowledgeBaseId: string,
  query: ListKnowledgeDocumentsQuery,
): Promise<Page<KnowledgeDocument>> {
  const rows = await inOrg(ctx, async (tx) => {
    await assertBase(tx, ctx, knowledgeBaseId);
    return tx
      .select({ ...columns, cursorAt: cursorTimestamp(documents.createdAt) })
      .from(documents)
      .where(
        and(
          eq(documents.orgId, ctx.orgId),
          eq(documents.knowledgeBaseId, knowledgeBaseId),
          query.status ? eq(documents.status, query.status) : undefined,
          afterCursor(documents.createdAt, documents.id, query.cursor),
        ),
      )
      .orderBy(desc(documents.createdAt), desc(documents.id))
      .limit(query.limit + 1);
  });
  const page = toPage(rows, query.limit);
  return { data: page.rows.map(toKnowledgeDocument), next_cursor: page.nextCursor };
}

export async function getDocument(
  ctx: ServiceContext,
  knowledgeBaseId: string,
  documentId: string,
): Promise<KnowledgeDocument> {
  const [row] = await inOrg(ctx, (tx) =>
    tx
      .select(columns)
      .from(documents)
      .where(
        and(
          eq(documents.orgId, ctx.orgId),
          eq(documents.knowledgeBaseId, knowledgeBaseId),
          eq(documents.id, documentId),
        ),
      ),
  );
  if (!row) throw documentNotFound(documentId);
  return toKnowledgeDocument(row);
}

/** Deletes the document (its chunks cascade), then its stored file. */
export async function deleteDocument(
  ctx: ServiceContext,
  knowledgeBaseId: string,
  documentId: string,
  deps: Pick<DocumentServiceDeps, 'storage'>,
): Promise<void> {
  const filePath = await inOrg(ctx, async (tx) => {
    await assertBase(tx, ctx, knowledgeBaseId);
    const [row] = await tx
      .delete(documents)
      .where(
        and(
          eq(documents.orgId, ctx.orgId),
          eq(documents.knowledgeBaseId, knowledgeBaseId),
          eq(documents.id, documentId),
        ),
      )
      .returning({ name: documents.name, filePath: documents.filePath });
    if (!row) throw documentNotFound(documentId);
    await recordAudit(tx, ctx, {
      action: 'document.deleted',
      resourceType: 'document',
      resourceId: documentId,
      details: { knowledge_base_id: knowledgeBaseId, name: row.name },
    });
    return row.filePath;
  });
  if (filePath) await deps.storage.delete(filePath);
}

/**
 * Enqueues each document's delivery. The rows are committed already: a failed enqueue (queue down) is
 * logged, not thrown, and leaves the document `pending` for the recovery sweep, so the caller's request
 * still succeeds with what it created.
 */
async function enqueueIngestion(
  ctx: ServiceContext,
  docs: { id: string; delivery: number }[],
  deps: Pick<DocumentServiceDeps, 'queue' | 'logger'>,
): Promise<void> {
  for (const doc of docs) {
    try {
      await deps.queue.enqueue(
        'ingestion',
        { document_id: doc.id, org_id: ctx.orgId },
        { jobId: ingestionJobId(doc.id, doc.delivery) },
      );
    } catch (err) {
      deps.logger?.warn(
        { err, documentId: doc.id },
        'enqueueing a document failed; it stays pending until the recovery sweep delivers it',
      );
    }
  }
}

/**
 * Sends documents back to `pending` and enqueues them (after a chunk-size or model change, or to retry
 * a failure). A document being processed is taken over: that run's results are dropped. Each gets a new
 * delivery (a fresh job id) and its recovery count starts over.
 */
async function reindex(
  ctx: ServiceContext,
  knowledgeBaseId: string,
  documentId: string | null,
  deps: Pick<DocumentServiceDeps, 'queue' | 'logger'>,
): Promise<ReindexResponse> {
  const rows = await inOrg(ctx, async (tx) => {
    await assertBase(tx, ctx, knowledgeBaseId);
    const rows = await tx
      .update(documents)
      .set({ status: 'pending', errorMessage: null, metadata: nextDeliveryMetadata(settledMetadata()) })
      .where(
        and(
          eq(documents.orgId, ctx.orgId),
          eq(documents.knowledgeBaseId, knowledgeBaseId),
          documentId ? eq(documents.id, documentId) : undefined,
        ),
      )
      .returning({ id: documents.id, delivery: currentDelivery });
    if (documentId && rows.length === 0) throw documentNotFound(documentId);
    await recordAudit(tx, ctx, {
      action: documentId ? 'document.reindexed' : 'knowledge_base.reindexed',
      resourceType: documentId ? 'document' : 'knowledge_base',
      resourceId: documentId ?? knowledgeBaseId,
      details: { knowledge_base_id: knowledgeBaseId, documents: rows.length },
    });
    return rows.map((r) => ({ id: r.id, delivery: Number(r.delivery) }));
  });
  await enqueueIngestion(ctx, rows, deps);
  return { queued: rows.length, document_ids: rows.map((r) => r.id) };
}

export function reindexDocument(
  ctx: ServiceContext,
  knowledgeBaseId: string,
  documentId: string,
  deps: Pick<DocumentServiceDeps, 'queue' | 'logger'>,
): Promise<ReindexResponse> {
  return reindex(ctx, knowledgeBaseId, documentId, deps);
}

export function reindexKnowledgeBase(
  ctx: ServiceContext,
  knowledgeBaseId: string,
  deps: Pick<DocumentServiceDeps, 'queue' | 'logger'>,
): Promise<ReindexResponse> {
  return reindex(ctx, knowledgeBaseId, null, deps);
}

function mimeFor(fileType: string | null): string | undefined {
  if (!fileType) return undefined;
  if (fileType.includes('/')) return fileType;
  return mimeTypeOf(fileType as Parameters<typeof mimeTypeOf>[0]);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
