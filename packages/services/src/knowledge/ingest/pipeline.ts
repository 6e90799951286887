import { createHash, randomUUID } from 'node:crypto';
import { AppError, type KnowledgeDocumentEvent, knowledgeChannel } from '@agentflow/contracts';
import { type Db, withOrg } from '@agentflow/db';
import { documentChunks, documents, knowledgeBases } from '@agentflow/db/schema';
import { createSafeHttpClient, type HttpClient, SsrfError } from '@agentflow/engine';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { EndpointPolicy } from '../../models/endpoint';
import type { Keyring } from '../../secrets';
import { createEmbedder, type Embedder, type EmbedderDeps, EmbeddingError } from '../embeddings';
import {
  type DocumentFormat,
  DocumentParseError,
  detectFormat,
  documentFormats,
  parseDocument,
} from '../parsers';
import { type ObjectStorage, StorageNotFoundError } from '../storage';
import { holdClaim } from './lease';
import { type ChunkDraft, estimateTokens, splitDocument } from './split';
import {
  claimedMetadata,
  DEFAULT_INGESTION_LEASE_MS,
  ingestionKeys,
  settledMetadata,
  unclaimedMetadata,
} from './state';

/** Largest document accepted (upload or URL download) unless configured: 20 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

export interface IngestionEventPublisher {
  publish(channel: string, message: string): Promise<void>;
}

export interface IngestionDeps {
  /** The root (app-role) handle; every query runs inside `withOrg` (RLS). */
  db: Db;
  storage: ObjectStorage;
  /** Progress on `knowledge:{knowledge_base_id}` (see {@link KnowledgeDocumentEvent}). */
  events?: IngestionEventPublisher | undefined;
  /** Opens the org's provider keys for embedding models. */
  keyring?: Keyring | undefined;
  /** SSRF policy of org model endpoints (LLM_ENDPOINT_ALLOW_*), for embeddings. */
  endpointPolicy?: EndpointPolicy | undefined;
  /** SSRF policy of URL documents: the HTTP node's (HTTP_NODE_ALLOW_*). */
  httpPolicy?: EndpointPolicy | undefined;
  /** Largest URL download (default 20 MiB). */
  maxFileBytes?: number | undefined;
  /** Provider connection / batching / retry overrides for the embedder (bench, tests). */
  embedding?: Omit<EmbedderDeps, 'ctx' | 'keyring' | 'endpointPolicy'> | undefined;
  /** Rows per INSERT of chunks (default 250). */
  insertBatchSize?: number | undefined;
  /**
   * How long a claim lives without renewal (default 60 s; renewed every third while the run goes on).
   * When the process dies, the recovery sweep takes the document over once it expired.
   */
  leaseMs?: number | undefined;
  logger?: { warn(obj: object, msg: string): void } | undefined;
}

export type IngestionOutcome =
  /** Chunks stored, document `ready`. */
  | 'ready'
  /** Document `failed` with a readable reason. */
  | 'failed'
  /** Nothing to do: already ready / being processed by another delivery / deleted. */
  | 'skipped'
  /** Another run (a re-index) took the document over while this one worked: its results were dropped. */
  | 'superseded';

export interface IngestionResult {
  outcome: IngestionOutcome;
  chunkCount?: number;
  error?: string;
}

const documentColumns = {
  id: documents.id,
  knowledgeBaseId: documents.knowledgeBaseId,
  name: documents.name,
  sourceType: documents.sourceType,
  sourceUrl: documents.sourceUrl,
  filePath: documents.filePath,
  fileType: documents.fileType,
  contentHash: documents.contentHash,
};

/**
 * One ingestion job: claim -> load -> parse/clean -> split -> embed in batches -> store chunks ->
 * `ready`, or `failed` with the reason. Safe to deliver twice (ADR 0004): the claim is a compare-and-
 * swap `pending|failed -> processing` tagged with a run id, so a duplicate delivery of a document being
 * processed or already `ready` does nothing; the final write checks the run id again, so a run
 * overtaken by a re-index stores nothing. Old chunks are deleted and new ones inserted in the same
 * transaction that marks the document `ready`: a re-run replaces, never duplicates. Aborting (worker
 * shutdown) puts the document back to `pending` and rethrows. The claim carries a lease, renewed while
 * the run goes on ({@link holdClaim}); a run whose worker died is taken over by the recovery sweep
 * (`recovery.ts`) once the lease expired.
 */
export async function ingestDocument(
  deps: IngestionDeps,
  job: { orgId: string; documentId: string },
  signal?: AbortSignal,
): Promise<IngestionResult> {
  const { db, orgId, documentId } = { db: deps.db, ...job };
  const runId = randomUUID();
  const leaseMs = deps.leaseMs ?? DEFAULT_INGESTION_LEASE_MS;
  const claimed = await withOrg(db, orgId, async (tx) => {
    const [doc] = await tx
      .update(documents)
      .set({
        status: 'processing',
        errorMessage: null,
        metadata: claimedMetadata(runId, leaseMs),
      })
      .where(
        and(
          eq(documents.orgId, orgId),
          eq(documents.id, documentId),
          inArray(documents.status, ['pending', 'failed']),
        ),
      )
      .returning(documentColumns);
    if (!doc) return undefined;
    const [base] = await tx
      .select({
        embeddingModel: knowledgeBases.embeddingModel,
        chunkSize: knowledgeBases.chunkSize,
        chunkOverlap: knowledgeBases.chunkOverlap,
      })
      .from(knowledgeBases)
      .where(and(eq(knowledgeBases.orgId, orgId), eq(knowledgeBases.id, doc.knowledgeBaseId)));
    return base ? { doc, base } : undefined;
  });
  if (!claimed) return { outcome: 'skipped' };
  const { doc, base } = claimed;
  const publish = (event: Omit<KnowledgeDocumentEvent, 'document_id'>) =>
    publishEvent(deps, doc.knowledgeBaseId, { document_id: documentId, ...event });
  const thisRun = and(
    eq(documents.orgId, orgId),
    eq(documents.id, documentId),
    eq(documents.status, 'processing'),
    sql`${documents.metadata}->>${ingestionKeys.run}::text = ${runId}`,
  );

  const lease = holdClaim(deps, { orgId, documentId, runId, leaseMs });
  // Stops the work on shutdown (caller's signal) and when a re-index or recovery took the claim over.
  const stop = signal ? AbortSignal.any([signal, lease.lost]) : lease.lost;
  await publish({ status: 'processing', progress: 0 });
  try {
    const loaded = await loadContent(deps, doc, stop);
    stop.throwIfAborted();
    const format = loaded.format;
    if (!format) throw new DocumentParseError(unsupportedMessage(doc.fileType, doc.name));
    const parsed = await parseDocument(loaded.bytes, format);
    const drafts = await splitDocument(parsed, {
      chunkSize: base.chunkSize,
      chunkOverlap: base.chunkOverlap,
    });
    if (drafts.length === 0) throw new DocumentParseError('The document contains no text to index.');
    await publish({ status: 'processing', progress: 0.1 });

    const embedder = createEmbedder(base.embeddingModel, {
      ctx: { db, orgId },
      keyring: deps.keyring,
      endpointPolicy: deps.endpointPolicy,
      ...deps.embedding,
    });
    const vectors = await embedInBatches(embedder, drafts, stop, (done) =>
      publish({ status: 'processing', progress: 0.1 + 0.8 * (done / drafts.length) }),
    );
    stop.throwIfAborted();

    const stored = await withOrg(db, orgId, async (tx) => {
      const [row] = await tx
        .update(documents)
        .set({
          status: 'ready',
          errorMessage: null,
          chunkCount: drafts.length,
          processedAt: new Date(),
          ...(loaded.contentHash ? { contentHash: loaded.contentHash } : {}),
          ...(loaded.sizeBytes !== undefined ? { fileSizeBytes: loaded.sizeBytes } : {}),
          ...(loaded.format && loaded.format !== doc.fileType ? { fileType: loaded.format } : {}),
          metadata: sql`${settledMetadata()} || ${JSON.stringify(parsed.metadata)}::jsonb`,
        })
        .where(thisRun)
        .returning({ id: documents.id });
      if (!row) return false;
      await tx
        .delete(documentChunks)
        .where(and(eq(documentChunks.orgId, orgId), eq(documentChunks.documentId, documentId)));
      await insertChunks(tx, deps.insertBatchSize ?? 250, {
        orgId,
        documentId,
        knowledgeBaseId: doc.knowledgeBaseId,
        format,
        drafts,
        vectors,
      });
      return true;
    });
    if (!stored) return { outcome: 'superseded' };
    await publish({ status: 'ready', progress: 1, chunk_count: drafts.length });
    return { outcome: 'ready', chunkCount: drafts.length };
  } catch (error) {
    if (lease.lost.aborted && !signal?.aborted) return { outcome: 'superseded' };
    if (signal?.aborted) {
      // Shutdown: hand the document back so a later delivery (or a re-index) processes it. Not a lost
      // run: the recovery count stays, and the pending sweep (or this worker's successor) re-delivers.
      await withOrg(db, orgId, (tx) =>
        tx.update(documents).set({ status: 'pending', metadata: unclaimedMetadata() }).where(thisRun),
      ).catch(() => undefined);
      throw error;
    }
    const message = failureMessage(error);
    if (
      !(error instanceof DocumentParseError || error instanceof AppError || error instanceof EmbeddingError)
    ) {
      deps.logger?.warn({ err: error, documentId }, 'document ingestion failed unexpectedly');
    }
    const [row] = await withOrg(db, orgId, (tx) =>
      tx
        .update(documents)
        .set({
          status: 'failed',
          errorMessage: message,
          processedAt: new Date(),
          metadata: settledMetadata(),
        })
        .where(thisRun)
        .returning({ id: documents.id }),
    );
    if (!row) return { outcome: 'superseded' };
    await publish({ status: 'failed', progress: 1, error: message });
    return { outcome: 'failed', error: message };
  } finally {
    lease.stop();
  }
}

interface Loaded {
  bytes: Uint8Array;
  format: DocumentFormat | null;
  /** Set when learned while loading (URL documents). */
  contentHash?: string;
  sizeBytes?: number;
}

const httpClients = new Map<string, HttpClient>();
function httpClientFor(policy: EndpointPolicy | undefined, maxBytes: number): HttpClient {
  if (policy?.lookup) return createSafeHttpClient({ ...policy, maxResponseBytes: maxBytes });
  const key = JSON.stringify({ ...policy, maxBytes });
  let client = httpClients.get(key);
  if (!client) {
    client = createSafeHttpClient({
      ...policy,
      maxResponseBytes: maxBytes,
      userAgent: 'AgentFlow-Ingestion',
    });
    httpClients.set(key, client);
  }
  return client;
}

async function loadContent(
  deps: IngestionDeps,
  doc: {
    name: string;
    sourceType: string | null;
    sourceUrl: string | null;
    filePath: string | null;
    fileType: string | null;
  },
  signal?: AbortSignal,
): Promise<Loaded> {
  if (doc.sourceType === 'url') {
    if (!doc.sourceUrl) throw new DocumentParseError('The document has no URL.');
    const maxBytes = deps.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    const client = httpClientFor(deps.httpPolicy, maxBytes);
    let response: Awaited<ReturnType<HttpClient['request']>>;
    try {
      response = await client.request({
        method: 'GET',
        url: doc.sourceUrl,
        headers: {
          accept:
            'text/html, text/markdown, text/plain, application/pdf, application/json, text/csv, */*;q=0.5',
        },
        timeoutMs: 30_000,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof SsrfError)
        throw new DocumentParseError(`The URL is not allowed: ${error.message}`);
      throw new DocumentParseError(`The URL could not be fetched: ${(error as Error).message}`);
    }
    if (response.status >= 400) throw new DocumentParseError(`The URL answered HTTP ${response.status}.`);
    const bytes = response.bytes ?? Buffer.from(response.body);
    const url = new URL(response.url);
    return {
      bytes,
      format: detectFormat({ name: url.pathname, mimeType: response.headers['content-type'], bytes }),
      contentHash: sha256(bytes),
      sizeBytes: bytes.length,
    };
  }
  if (!doc.filePath) throw new DocumentParseError('The document has no stored file.');
  let bytes: Buffer;
  try {
    bytes = await deps.storage.get(doc.filePath, signal);
  } catch (error) {
    if (error instanceof StorageNotFoundError) throw new DocumentParseError('The stored file is missing.');
    throw error;
  }
  const known = (documentFormats as readonly string[]).includes(doc.fileType ?? '')
    ? (doc.fileType as DocumentFormat)
    : null;
  return { bytes, format: known };
}

async function embedInBatches(
  embedder: Embedder,
  drafts: ChunkDraft[],
  signal: AbortSignal | undefined,
  onProgress: (done: number) => Promise<void>,
): Promise<number[][]> {
  const texts = drafts.map((d) => d.content);
  // The embedder batches provider requests itself; these steps only pace the progress events.
  const step = embedder.local ? 2000 : 256;
  const vectors: number[][] = [];
  for (let i = 0; i < texts.length; i += step) {
    vectors.push(...(await embedder.embed(texts.slice(i, i + step), signal)));
    if (i + step < texts.length) await onProgress(vectors.length);
  }
  return vectors;
}

async function insertChunks(
  tx: Db,
  batchSize: number,
  input: {
    orgId: string;
    documentId: string;
    knowledgeBaseId: string;
    format: DocumentFormat;
    drafts: ChunkDraft[];
    vectors: number[][];
  },
): Promise<void> {
  for (let start = 0; start < input.drafts.length; start += batchSize) {
    const rows = input.drafts.slice(start, start + batchSize).map((draft, offset) => {
      const index = start + offset;
      return {
        orgId: input.orgId,
        documentId: input.documentId,
        knowledgeBaseId: input.knowledgeBaseId,
        content: draft.content,
        metadata: { format: input.format, ...draft.metadata },
        embedding: input.vectors[index] as number[],
        chunkIndex: index,
        tokenCount: estimateTokens(draft.content),
      };
    });
    await tx.insert(documentChunks).values(rows);
  }
}

async function publishEvent(deps: IngestionDeps, knowledgeBaseId: string, event: KnowledgeDocumentEvent) {
  if (!deps.events) return;
  try {
    await deps.events.publish(knowledgeChannel(knowledgeBaseId), JSON.stringify(event));
  } catch (err) {
    // Progress is best effort: the document row is the truth.
    deps.logger?.warn({ err, documentId: event.document_id }, 'publishing ingestion progress failed');
  }
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function unsupportedMessage(fileType: string | null, name: string): string {
  return `Unsupported file type${fileType ? ` "${fileType}"` : ''} (${name}): supported are text, Markdown, HTML, PDF, CSV, JSON and Word (.docx).`;
}

function failureMessage(error: unknown): string {
  if (error instanceof DocumentParseError || error instanceof AppError || error instanceof EmbeddingError) {
    return error.message.slice(0, 1000);
  }
  return 'Ingestion failed because of an internal error.';
}
