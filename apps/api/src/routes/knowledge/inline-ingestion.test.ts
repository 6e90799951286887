import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ROLE } from '@agentflow/db';
import { documentChunks, documents, knowledgeBases, organizations } from '@agentflow/db/schema';
import { InlineQueueDriver } from '@agentflow/queue';
import { waitFor } from '@agentflow/queue/testing';
import { createLocalStorage, DEFAULT_LOCAL_EMBEDDING_MODEL, uploadDocuments } from '@agentflow/services';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';

const db = sharedTestDatabase();
let root: string;

beforeAll(async () => {
  await db.setup();
  root = await mkdtemp(join(tmpdir(), 'af-api-inline-ingest-'));
}, 120_000);
afterAll(async () => {
  await db.teardown();
  await rm(root, { recursive: true, force: true });
});

const text = Array.from({ length: 20 }, (_, i) => `Paragraph ${i} describes embedded recovery.`).join(' ');

/**
 * Embedded mode restarts lose the inline queue's jobs, and a process that died mid-ingestion leaves its
 * document `processing`: the API's inline consumer recovers both, as the worker does.
 */
describe('embedded ingestion recovery', () => {
  it('ingests documents a previous process left pending or processing when the app starts', async () => {
    const storage = createLocalStorage(join(root, 'files'));
    const owner = db.get().db;
    const suffix = randomUUID().slice(0, 8);
    const [org] = await owner
      .insert(organizations)
      .values({ name: 'Embedded', slug: `embedded-${suffix}` })
      .returning();
    const [kb] = await owner
      .insert(knowledgeBases)
      .values({
        orgId: org!.id,
        name: 'KB',
        embeddingModel: DEFAULT_LOCAL_EMBEDDING_MODEL,
        chunkSize: 100,
        chunkOverlap: 0,
      })
      .returning();
    // The previous process: accepted two uploads, then died before (or while) ingesting them.
    const gone = new InlineQueueDriver();
    await gone.close();
    const ctx = {
      db: db.get().connectAs(APP_ROLE).db,
      orgId: org!.id,
      actor: { type: 'system' as const, reason: 'test' },
    };
    const [pending, interrupted] = await uploadDocuments(
      ctx,
      kb!.id,
      [
        { name: 'pending.txt', bytes: Buffer.from(text) },
        { name: 'interrupted.txt', bytes: Buffer.from(`${text} And one more sentence.`) },
      ],
      { storage, queue: gone },
    );
    await owner
      .update(documents)
      .set({
        status: 'processing',
        metadata: sql`jsonb_build_object('ingestion_run', ${randomUUID()}::text, 'ingestion_lease_until', now() + interval '1 second')`,
      })
      .where(eq(documents.id, interrupted!.id));

    let app: App | undefined;
    try {
      ({ app } = await createTestApp({
        database: db.get().connectAs(APP_ROLE),
        storage,
        config: { ingestionSweepIntervalMs: 100 },
      }));
      const rows = await waitFor(
        async () => {
          const all = await owner.select().from(documents).where(eq(documents.knowledgeBaseId, kb!.id));
          return all.every((r) => r.status === 'ready' || r.status === 'failed') ? all : undefined;
        },
        { timeoutMs: 20_000, what: 'both documents to settle' },
      );
      for (const row of rows) {
        expect(row.status, `${row.name}: ${row.errorMessage}`).toBe('ready');
        const indexes = (
          await owner
            .select({ i: documentChunks.chunkIndex })
            .from(documentChunks)
            .where(eq(documentChunks.documentId, row.id))
            .orderBy(asc(documentChunks.chunkIndex))
        ).map((c) => c.i);
        expect(indexes).toEqual([...Array(row.chunkCount).keys()]);
      }
      // The interrupted one waited for its claim to expire, then was taken over once.
      const resumed = rows.find((r) => r.id === interrupted!.id)!;
      expect(resumed.metadata).not.toHaveProperty('ingestion_run');
      expect(rows.find((r) => r.id === pending!.id)!.metadata).toMatchObject({ ingestion_delivery: 1 });
      expect(resumed.metadata).toMatchObject({ ingestion_delivery: 1 });
    } finally {
      await app?.close();
    }
  });
});
