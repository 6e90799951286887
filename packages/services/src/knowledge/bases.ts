import {
  AppError,
  type CreateKnowledgeBaseBody,
  type KnowledgeBase,
  type KnowledgeBaseListQuery,
  type Page,
  type UpdateKnowledgeBaseBody,
} from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { documents, knowledgeBases } from '@agentflow/db/schema';
import { and, desc, eq, ilike, inArray, isNotNull, or, type SQL, sql } from 'drizzle-orm';
import { afterCursor, cursorTimestamp, recordAudit, toPage } from '../audit';
import { inOrg, type ServiceContext } from '../context';
import { containsPattern } from '../like';

/**
 * Knowledge bases (issue 7): settings (embedding model, chunking) plus counts. Every query filters by
 * the context's org (and RLS again); another org's base is KNOWLEDGE_BASE_NOT_FOUND.
 */

const documentCount = sql<number>`(select count(*)::int from documents d where d.knowledge_base_id = knowledge_bases.id)`;
// Index-only scan on document_chunks_kb_idx; counts what retrieval can actually return.
const chunkCount = sql<number>`(select count(*)::int from document_chunks c where c.knowledge_base_id = knowledge_bases.id)`;

const columns = {
  id: knowledgeBases.id,
  name: knowledgeBases.name,
  description: knowledgeBases.description,
  embeddingModel: knowledgeBases.embeddingModel,
  chunkSize: knowledgeBases.chunkSize,
  chunkOverlap: knowledgeBases.chunkOverlap,
  createdAt: knowledgeBases.createdAt,
  updatedAt: knowledgeBases.updatedAt,
};

type BaseRow = {
  id: string;
  name: string;
  description: string | null;
  embeddingModel: string;
  chunkSize: number;
  chunkOverlap: number;
  createdAt: Date;
  updatedAt: Date;
};

function toKnowledgeBase(row: BaseRow, counts: { documents: number; chunks: number }): KnowledgeBase {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    embedding_model: row.embeddingModel,
    chunk_size: row.chunkSize,
    chunk_overlap: row.chunkOverlap,
    document_count: Number(counts.documents),
    chunk_count: Number(counts.chunks),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export const knowledgeBaseNotFound = (id: string) =>
  new AppError('KNOWLEDGE_BASE_NOT_FOUND', `Knowledge base ${id} not found.`, { knowledge_base_id: id });

const inThisOrg = (ctx: ServiceContext, id: string): SQL =>
  and(eq(knowledgeBases.orgId, ctx.orgId), eq(knowledgeBases.id, id)) as SQL;

/**
 * Newest first; `search` keeps the bases whose name or description contains it (case-insensitive, as the
 * agents list). The cursor is the same with or without a search: pages of a search follow each other.
 */
export async function listKnowledgeBases(
  ctx: ServiceContext,
  query: KnowledgeBaseListQuery,
): Promise<Page<KnowledgeBase>> {
  const rows = await inOrg(ctx, (tx) =>
    tx
      .select({
        ...columns,
        documents: documentCount,
        chunks: chunkCount,
        cursorAt: cursorTimestamp(knowledgeBases.createdAt),
      })
      .from(knowledgeBases)
      .where(
        and(
          eq(knowledgeBases.orgId, ctx.orgId),
          query.search
            ? or(
                ilike(knowledgeBases.name, containsPattern(query.search)),
                ilike(knowledgeBases.description, containsPattern(query.search)),
              )
            : undefined,
          afterCursor(knowledgeBases.createdAt, knowledgeBases.id, query.cursor),
        ),
      )
      .orderBy(desc(knowledgeBases.createdAt), desc(knowledgeBases.id))
      .limit(query.limit + 1),
  );
  const page = toPage(rows, query.limit);
  return { data: page.rows.map((r) => toKnowledgeBase(r, r)), next_cursor: page.nextCursor };
}

async function readBase(tx: Db, ctx: ServiceContext, id: string): Promise<KnowledgeBase> {
  const [row] = await tx
    .select({ ...columns, documents: documentCount, chunks: chunkCount })
    .from(knowledgeBases)
    .where(inThisOrg(ctx, id));
  if (!row) throw knowledgeBaseNotFound(id);
  return toKnowledgeBase(row, row);
}

export async function getKnowledgeBase(ctx: ServiceContext, id: string): Promise<KnowledgeBase> {
  return inOrg(ctx, (tx) => readBase(tx, ctx, id));
}

export async function createKnowledgeBase(
  ctx: ServiceContext,
  body: CreateKnowledgeBaseBody,
): Promise<KnowledgeBase> {
  return inOrg(ctx, async (tx) => {
    const [row] = await tx
      .insert(knowledgeBases)
      .values({
        orgId: ctx.orgId,
        createdBy: ctx.actor.type === 'user' ? ctx.actor.userId : null,
        name: body.name,
        description: body.description ?? null,
        embeddingModel: body.embedding_model,
        chunkSize: body.chunk_size,
        chunkOverlap: body.chunk_overlap,
      })
      .returning(columns);
    await recordAudit(tx, ctx, {
      action: 'knowledge_base.created',
      resourceType: 'knowledge_base',
      resourceId: row!.id,
      details: {
        name: body.name,
        embedding_model: body.embedding_model,
        chunk_size: body.chunk_size,
        chunk_overlap: body.chunk_overlap,
      },
    });
    return toKnowledgeBase(row!, { documents: 0, chunks: 0 });
  });
}

export async function updateKnowledgeBase(
  ctx: ServiceContext,
  id: string,
  body: UpdateKnowledgeBaseBody,
): Promise<KnowledgeBase> {
  return inOrg(ctx, async (tx) => {
    const [current] = await tx.select(columns).from(knowledgeBases).where(inThisOrg(ctx, id)).for('update');
    if (!current) throw knowledgeBaseNotFound(id);
    const chunkSize = body.chunk_size ?? current.chunkSize;
    const chunkOverlap = body.chunk_overlap ?? current.chunkOverlap;
    if (chunkOverlap >= chunkSize) {
      const field = body.chunk_overlap !== undefined ? 'chunk_overlap' : 'chunk_size';
      throw new AppError(
        'VALIDATION_ERROR',
        `chunk_overlap (${chunkOverlap}) must be smaller than chunk_size (${chunkSize}).`,
        {
          fields: [
            {
              path: `body.${field}`,
              message:
                field === 'chunk_overlap'
                  ? `must be smaller than chunk_size (${chunkSize})`
                  : `must be larger than chunk_overlap (${chunkOverlap})`,
            },
          ],
        },
      );
    }
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const set: Partial<typeof knowledgeBases.$inferInsert> = {};
    const track = <K extends keyof BaseRow>(key: K, wire: string, value: BaseRow[K] | undefined) => {
      if (value === undefined || value === current[key]) return;
      changes[wire] = { from: current[key], to: value };
      (set as Record<string, unknown>)[key] = value;
    };
    track('name', 'name', body.name);
    track('description', 'description', body.description === undefined ? undefined : body.description);
    track('embeddingModel', 'embedding_model', body.embedding_model);
    track('chunkSize', 'chunk_size', body.chunk_size);
    track('chunkOverlap', 'chunk_overlap', body.chunk_overlap);
    if (Object.keys(set).length > 0) {
      await tx
        .update(knowledgeBases)
        .set({ ...set, updatedAt: new Date() })
        .where(inThisOrg(ctx, id));
      await recordAudit(tx, ctx, {
        action: 'knowledge_base.updated',
        resourceType: 'knowledge_base',
        resourceId: id,
        details: { changes },
      });
    }
    return readBase(tx, ctx, id);
  });
}

export interface DeleteKnowledgeBaseOptions {
  /**
   * Removes the stored files of the deleted documents, after the rows are gone (a failure leaves
   * orphaned files, never rows pointing at missing files). Given the `file_path` values.
   */
  removeFiles?: ((paths: string[]) => Promise<void>) | undefined;
}

/** Deletes the base; its documents and chunks go with it (FK cascade), then their stored files. */
export async function deleteKnowledgeBase(
  ctx: ServiceContext,
  id: string,
  options: DeleteKnowledgeBaseOptions = {},
): Promise<void> {
  const paths = await inOrg(ctx, async (tx) => {
    const files = await tx
      .select({ path: documents.filePath })
      .from(documents)
      .where(
        and(eq(documents.orgId, ctx.orgId), eq(documents.knowledgeBaseId, id), isNotNull(documents.filePath)),
      );
    const [row] = await tx
      .delete(knowledgeBases)
      .where(inThisOrg(ctx, id))
      .returning({ name: knowledgeBases.name });
    if (!row) throw knowledgeBaseNotFound(id);
    await recordAudit(tx, ctx, {
      action: 'knowledge_base.deleted',
      resourceType: 'knowledge_base',
      resourceId: id,
      details: { name: row.name, documents: files.length },
    });
    return files.map((f) => f.path).filter((p): p is string => !!p);
  });
  if (paths.length > 0 && options.removeFiles) await options.removeFiles(paths);
}

/**
 * The org's bases among `ids` with their embedding model; any id that is unknown or another org's
 * makes the whole request KNOWLEDGE_BASE_NOT_FOUND naming every such id (existence is not leaked: a
 * foreign id reads exactly like an unknown one).
 */
export async function resolveKnowledgeBases(
  tx: Db,
  ctx: Pick<ServiceContext, 'orgId'>,
  ids: readonly string[],
): Promise<Array<{ id: string; embeddingModel: string }>> {
  const unique = [...new Set(ids)];
  const valid = unique.filter((id) => uuidPattern.test(id));
  const rows = valid.length
    ? await tx
        .select({ id: knowledgeBases.id, embeddingModel: knowledgeBases.embeddingModel })
        .from(knowledgeBases)
        .where(and(eq(knowledgeBases.orgId, ctx.orgId), inArray(knowledgeBases.id, valid)))
    : [];
  const found = new Set(rows.map((r) => r.id));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new AppError(
      'KNOWLEDGE_BASE_NOT_FOUND',
      missing.length === 1
        ? `Knowledge base ${missing[0]} not found.`
        : `Knowledge bases not found: ${missing.join(', ')}.`,
      { knowledge_base_ids: missing },
    );
  }
  return rows;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
