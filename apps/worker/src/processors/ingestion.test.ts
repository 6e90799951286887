import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KnowledgeDocumentEvent, knowledgeChannel } from '@agentflow/contracts';
import { APP_ROLE, type Database } from '@agentflow/db';
import { documentChunks, documents, knowledgeBases, organizations } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import {
  BullmqQueueDriver,
  closeRedis,
  createEventBus,
  createRedis,
  type EventBus,
  InlineQueueDriver,
  type QueueDriver,
} from '@agentflow/queue';
import { deleteKeysWithPrefix, REDIS_SKIP_REASON, uniquePrefix, waitFor } from '@agentflow/queue/testing';
import {
  createKeyring,
  createLocalStorage,
  DEFAULT_LOCAL_EMBEDDING_MODEL,
  type ObjectStorage,
  uploadDocuments,
} from '@agentflow/services';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../test-support';
import { startWorker } from '../worker';

const redisUrl = process.env.REDIS_URL;
let database: TestDatabase;
let root: string;
let storage: ObjectStorage;

beforeAll(async () => {
  database = await createTestDatabase();
  root = await mkdtemp(join(tmpdir(), 'af-worker-ingest-'));
  storage = createLocalStorage(root);
});
afterAll(async () => {
  await database?.cleanup();
  await rm(root, { recursive: true, force: true });
});

/** The app-role handle for the worker; `cleanup()` closes it, so the worker's close must not. */
function workerDatabase(): Database {
  const app = database.connectAs(APP_ROLE);
  return { ...app, close: async () => {} };
}

interface Setup {
  consumer: QueueDriver;
  producer: QueueDriver;
  events: EventBus;
  dispose(): Promise<void>;
}

function defineIngestionSuite(setup: () => Promise<Setup>) {
  it('ingests uploaded documents from the ingestion queue, publishing progress; a bad file fails alone', async () => {
    const { consumer, producer, events, dispose } = await setup();
    const slug = `org-${Math.random().toString(36).slice(2, 10)}`;
    const [org] = await database.db.insert(organizations).values({ name: 'Ingest', slug }).returning();
    const [kb] = await database.db
      .insert(knowledgeBases)
      .values({
        orgId: org!.id,
        name: 'KB',
        embeddingModel: DEFAULT_LOCAL_EMBEDDING_MODEL,
        chunkSize: 100,
        chunkOverlap: 0,
      })
      .returning();
    const received: KnowledgeDocumentEvent[] = [];
    const unsubscribe = await events.subscribe(knowledgeChannel(kb!.id), (message) => {
      received.push(JSON.parse(message) as KnowledgeDocumentEvent);
    });
    const { logger } = memoryLogger();
    const worker = await startWorker({
      queue: consumer,
      database: workerDatabase(),
      logger,
      concurrency: 2,
      shutdownTimeoutMs: 5_000,
      keyring: createKeyring({ NODE_ENV: 'test' }, { warn: () => {} }),
      events,
      storage,
    });
    try {
      const ctx = {
        db: database.connectAs(APP_ROLE).db,
        orgId: org!.id,
        actor: { type: 'system' as const, reason: 'test' },
      };
      // The API side: store the files and enqueue through the producer.
      const docs = await uploadDocuments(
        ctx,
        kb!.id,
        [
          {
            name: 'a.md',
            bytes: Buffer.from(`# Heading\n\n${'Markdown body text about ingestion. '.repeat(12)}`),
          },
          { name: 'b.pdf', bytes: Buffer.from('%PDF-1.4 not a pdf at all') },
        ],
        { storage, queue: producer },
      );
      const rows = await waitFor(
        async () => {
          const all = await database.db.select().from(documents).where(eq(documents.knowledgeBaseId, kb!.id));
          return all.every((r) => r.status === 'ready' || r.status === 'failed') && all.length === 2
            ? all
            : undefined;
        },
        { what: 'documents settled', timeoutMs: 20_000 },
      );
      const ready = rows.find((r) => r.name === 'a.md')!;
      expect(ready.status).toBe('ready');
      expect(ready.chunkCount).toBeGreaterThan(2);
      const chunks = await database.db
        .select()
        .from(documentChunks)
        .where(eq(documentChunks.documentId, ready.id));
      expect(chunks).toHaveLength(ready.chunkCount);
      expect(rows.find((r) => r.name === 'b.pdf')).toMatchObject({
        status: 'failed',
        errorMessage: expect.stringMatching(/PDF/),
      });
      await waitFor(() => received.find((e) => e.document_id === docs[0]!.id && e.status === 'ready'), {
        what: 'ready event',
      });
      const mine = received.filter((e) => e.document_id === docs[0]!.id);
      expect(mine[0]).toMatchObject({ status: 'processing', progress: 0 });
      expect(mine.at(-1)).toMatchObject({ status: 'ready', progress: 1, chunk_count: ready.chunkCount });

      // A duplicate delivery of the ready document changes nothing.
      await producer.enqueue('ingestion', { document_id: ready.id, org_id: org!.id });
      await new Promise((r) => setTimeout(r, 300));
      const [again] = await database.db.select().from(documents).where(eq(documents.id, ready.id));
      expect(again!.processedAt).toEqual(ready.processedAt);
    } finally {
      await unsubscribe();
      await worker.close();
      await dispose();
    }
  });
}

describe('ingestion processor (inline driver)', () => {
  defineIngestionSuite(async () => {
    const queue = new InlineQueueDriver();
    const events = createEventBus({});
    return { consumer: queue, producer: queue, events, dispose: async () => {} };
  });
});

describe.skipIf(!redisUrl)(`ingestion processor (BullMQ)${redisUrl ? '' : ` (${REDIS_SKIP_REASON})`}`, () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    if (!redisUrl) return;
    const redis = createRedis(redisUrl, { role: 'producer' });
    for (const prefix of prefixes) await deleteKeysWithPrefix(redis, prefix);
    await closeRedis(redis);
  });
  defineIngestionSuite(async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const consumer = new BullmqQueueDriver({ redisUrl: redisUrl!, prefix });
    const producer = new BullmqQueueDriver({ redisUrl: redisUrl!, prefix });
    const events = createEventBus({ redisUrl: redisUrl! });
    return {
      consumer,
      producer,
      events,
      dispose: async () => {
        await producer.close({ timeoutMs: 1_000 });
      },
    };
  });
});
