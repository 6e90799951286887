import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KnowledgeDocumentEvent } from '@agentflow/contracts';
import { APP_ROLE, type Db } from '@agentflow/db';
import { documentChunks, documents, knowledgeBases, organizations } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import {
  BullmqQueueDriver,
  closeRedis,
  createRedis,
  InlineQueueDriver,
  MemoryEventBus,
  type QueueDriver,
} from '@agentflow/queue';
import { deleteKeysWithPrefix, REDIS_SKIP_REASON, uniquePrefix, waitFor } from '@agentflow/queue/testing';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../context';
import { createKeyring } from '../../secrets';
import { DEFAULT_LOCAL_EMBEDDING_MODEL } from '../embeddings';
import { createLocalStorage, type ObjectStorage } from '../storage';
import {
  addUrlDocument,
  createIngestionRecovery,
  type IngestionDeps,
  ingestDocument,
  ingestionJobId,
  recoverPendingDocuments,
  sweepExpiredIngestions,
  uploadDocuments,
} from './index';

const redisUrl = process.env.REDIS_URL;
const keyring = createKeyring({ NODE_ENV: 'test' }, { warn: () => {} });
const loopback = { allowCidrs: ['127.0.0.0/8'] };

let database: TestDatabase;
let app: Db;
let root: string;
let storage: ObjectStorage;

beforeAll(async () => {
  database = await createTestDatabase();
  app = database.connectAs(APP_ROLE).db;
  root = await mkdtemp(join(tmpdir(), 'af-ingest-recovery-'));
  storage = createLocalStorage(root);
}, 120_000);
afterAll(async () => {
  await database?.cleanup();
  await rm(root, { recursive: true, force: true });
});

const text = Array.from({ length: 30 }, (_, i) => `Sentence ${i} explains recovery detail number ${i}.`).join(
  ' ',
);

async function orgWithBase(chunkSize = 400) {
  const suffix = randomUUID().slice(0, 8);
  const [org] = await database.db
    .insert(organizations)
    .values({ name: `Org ${suffix}`, slug: `org-${suffix}` })
    .returning({ id: organizations.id });
  const [base] = await database.db
    .insert(knowledgeBases)
    .values({
      orgId: org!.id,
      name: 'Docs',
      embeddingModel: DEFAULT_LOCAL_EMBEDDING_MODEL,
      chunkSize,
      chunkOverlap: 0,
    })
    .returning({ id: knowledgeBases.id });
  const ctx: ServiceContext = { db: app, orgId: org!.id, actor: { type: 'system', reason: 'recovery test' } };
  return { ctx, kbId: base!.id };
}

const docRow = async (id: string) =>
  (await database.db.select().from(documents).where(eq(documents.id, id)))[0]!;

const chunkIndexes = async (id: string) =>
  (
    await database.db
      .select({ i: documentChunks.chunkIndex })
      .from(documentChunks)
      .where(eq(documentChunks.documentId, id))
      .orderBy(asc(documentChunks.chunkIndex))
  ).map((r) => r.i);

const settled = (id: string, timeoutMs = 15_000) =>
  waitFor(
    async () => {
      const row = await docRow(id);
      return row.status === 'ready' || row.status === 'failed' ? row : undefined;
    },
    { timeoutMs, what: `document ${id} to settle` },
  );

/** What a worker killed mid-ingestion leaves behind: `processing`, claimed by a run whose lease ran out. */
async function crashMidRun(id: string, recoveries?: number) {
  const count =
    recoveries === undefined
      ? sql`'{}'::jsonb`
      : sql`jsonb_build_object('ingestion_recoveries', ${recoveries}::int)`;
  await database.db
    .update(documents)
    .set({
      status: 'processing',
      metadata: sql`${documents.metadata} || jsonb_build_object('ingestion_run', ${randomUUID()}::text, 'ingestion_lease_until', now() - interval '1 second') || ${count}`,
    })
    .where(eq(documents.id, id));
}

/** Uploads through a queue that is down: the request succeeds, the document stays pending with no job. */
async function uploadWithQueueDown(ctx: ServiceContext, kbId: string, name: string, content = text) {
  const down = new InlineQueueDriver();
  await down.close();
  const warnings: string[] = [];
  const [doc] = await uploadDocuments(ctx, kbId, [{ name, bytes: Buffer.from(content) }], {
    storage,
    queue: down,
    logger: { warn: (_obj, msg) => void warnings.push(msg) },
  });
  expect(warnings).toEqual([
    'enqueueing a document failed; it stays pending until the recovery sweep delivers it',
  ]);
  return doc!;
}

interface Harness {
  queue: QueueDriver;
  events: MemoryEventBus;
  outcomes: Array<{ documentId: string; jobId: string; outcome: string }>;
  /** Starts consuming `ingestion` (not at once, so a test can look at what waits in the queue). */
  consume(): Promise<void>;
  dispose(): Promise<void>;
}

function defineRecoverySuite(makeQueue: () => Promise<{ queue: QueueDriver; dispose(): Promise<void> }>) {
  let h: Harness;
  beforeEach(async () => {
    // Recovery sweeps every org: each test starts from an empty database so counts are its own.
    await database.reset();
    const { queue, dispose } = await makeQueue();
    const events = new MemoryEventBus();
    const outcomes: Harness['outcomes'] = [];
    const deps: IngestionDeps = { db: app, storage, events, keyring, httpPolicy: loopback, leaseMs: 300 };
    let stopConsumer: (() => Promise<unknown>) | undefined;
    h = {
      queue,
      events,
      outcomes,
      consume: async () => {
        const consumer = await queue.consume(
          'ingestion',
          async (payload, job) => {
            const result = await ingestDocument(
              deps,
              { orgId: payload.org_id, documentId: payload.document_id },
              job.signal,
            );
            outcomes.push({ documentId: payload.document_id, jobId: job.jobId, outcome: result.outcome });
          },
          { concurrency: 2 },
        );
        stopConsumer = () => consumer.close({ timeoutMs: 2_000 });
      },
      dispose: async () => {
        await stopConsumer?.();
        await dispose();
        await events.close();
      },
    };
    return () => h.dispose();
  });

  const recovery = (overrides: Partial<Parameters<typeof createIngestionRecovery>[0]> = {}) =>
    createIngestionRecovery({
      db: app,
      queue: h.queue,
      events: h.events,
      sweepIntervalMs: 100,
      ...overrides,
    });

  it('a document left pending with no job (queue down at upload) is ingested once recovery starts', async () => {
    const { ctx, kbId } = await orgWithBase();
    const doc = await uploadWithQueueDown(ctx, kbId, 'lost.txt');
    expect(doc.status).toBe('pending');
    await h.consume();
    const r = recovery();
    await r.start();
    try {
      const row = await settled(doc.id);
      expect(row.status).toBe('ready');
      expect(await chunkIndexes(doc.id)).toEqual([...Array(row.chunkCount).keys()]);
      // Delivered once, with the next job id of the document.
      expect(h.outcomes).toEqual([
        { documentId: doc.id, jobId: ingestionJobId(doc.id, 1), outcome: 'ready' },
      ]);
      expect(row.metadata).toMatchObject({ ingestion_delivery: 1 });
      expect(row.metadata).not.toHaveProperty('ingestion_run');
      expect(row.metadata).not.toHaveProperty('ingestion_lease_until');
    } finally {
      await r.stop();
    }
  });

  it('leaves a pending document alone while its job still waits in the queue', async () => {
    const { ctx, kbId } = await orgWithBase();
    const [doc] = await uploadDocuments(ctx, kbId, [{ name: 'queued.txt', bytes: Buffer.from(text) }], {
      storage,
      queue: h.queue,
    });
    expect((await h.queue.getJob('ingestion', ingestionJobId(doc!.id)))?.state).toBe('waiting');
    const isQueued = async (jobId: string) =>
      ['waiting', 'delayed', 'active'].includes((await h.queue.getJob('ingestion', jobId))?.state ?? '');
    expect(await recoverPendingDocuments({ db: app, queue: h.queue }, { olderThanMs: 0, isQueued })).toBe(0);
    await h.consume();
    expect((await settled(doc!.id)).status).toBe('ready');
    expect(h.outcomes.map((o) => o.jobId)).toEqual([doc!.id]);
  });

  it('re-runs a processing document whose claim expired: ready with the new chunk count, no duplicate chunks', async () => {
    const { ctx, kbId } = await orgWithBase(400);
    await h.consume();
    const [doc] = await uploadDocuments(ctx, kbId, [{ name: 'reindexed.txt', bytes: Buffer.from(text) }], {
      storage,
      queue: h.queue,
    });
    const before = await settled(doc!.id);
    expect(before.status).toBe('ready');
    // A re-index after a chunk-size change was claimed by a worker that then died: old chunks remain.
    await database.db.update(knowledgeBases).set({ chunkSize: 100 }).where(eq(knowledgeBases.id, kbId));
    await crashMidRun(doc!.id);
    const received: KnowledgeDocumentEvent[] = [];
    await h.events.subscribe(`knowledge:${kbId}`, (m) => void received.push(JSON.parse(m)));

    const result = await recovery().sweep();
    expect(result).toEqual({ requeued: 1, failed: 0, reEnqueued: 0 });
    const after = await waitFor(
      async () => {
        const row = await docRow(doc!.id);
        return row.status === 'ready' && row.chunkCount !== before.chunkCount ? row : undefined;
      },
      { timeoutMs: 15_000, what: 'the re-run to finish' },
    );
    expect(after.chunkCount).toBeGreaterThan(before.chunkCount * 2);
    expect(await chunkIndexes(doc!.id)).toEqual([...Array(after.chunkCount).keys()]);
    // The count starts over once the document reached an outcome.
    expect(after.metadata).not.toHaveProperty('ingestion_recoveries');
    expect(h.outcomes.at(-1)).toEqual({
      documentId: doc!.id,
      jobId: ingestionJobId(doc!.id, 1),
      outcome: 'ready',
    });
    expect(received[0]).toEqual({ document_id: doc!.id, status: 'pending', progress: 0 });
    expect(received.at(-1)).toMatchObject({ status: 'ready', chunk_count: after.chunkCount });
  });

  it('fails a document whose runs were lost too often, with a readable reason', async () => {
    const { ctx, kbId } = await orgWithBase();
    const doc = await uploadWithQueueDown(ctx, kbId, 'poison.txt');
    const received: KnowledgeDocumentEvent[] = [];
    await h.events.subscribe(`knowledge:${kbId}`, (m) => void received.push(JSON.parse(m)));
    const deps = { db: app, queue: h.queue, events: h.events, maxRecoveries: 1 };

    await crashMidRun(doc.id);
    expect(await sweepExpiredIngestions(deps)).toEqual({ requeued: 1, failed: 0 });
    expect(await docRow(doc.id)).toMatchObject({
      status: 'pending',
      metadata: expect.objectContaining({ ingestion_recoveries: 1 }),
    });
    // Its next run dies too (e.g. the file crashes the process every time).
    await crashMidRun(doc.id, 1);
    expect(await sweepExpiredIngestions(deps)).toEqual({ requeued: 0, failed: 1 });
    const row = await docRow(doc.id);
    expect(row).toMatchObject({ status: 'failed', chunkCount: 0 });
    expect(row.errorMessage).toBe(
      'Ingestion was interrupted 2 times (the process ingesting it stopped before finishing); giving up. Re-index the document to try again.',
    );
    expect(row.metadata).not.toHaveProperty('ingestion_run');
    expect(row.metadata).toMatchObject({ ingestion_recoveries: 1 });
    expect(received.at(-1)).toEqual({
      document_id: doc.id,
      status: 'failed',
      progress: 1,
      error: row.errorMessage,
    });
    // Nothing left to recover.
    expect(await sweepExpiredIngestions(deps)).toEqual({ requeued: 0, failed: 0 });
    // A stray duplicate delivery re-claims the failed document and dies too: failed again at once.
    await crashMidRun(doc.id);
    expect(await sweepExpiredIngestions(deps)).toEqual({ requeued: 0, failed: 1 });
  });

  it('does not take over a run that is alive: its lease is renewed while it works', async () => {
    const { ctx, kbId } = await orgWithBase();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let requested = 0;
    const site: Server = createServer(async (_req, res) => {
      requested++;
      await gate;
      res.setHeader('content-type', 'text/plain');
      res.end(text);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    try {
      await h.consume();
      const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/slow.txt`;
      const doc = await addUrlDocument(ctx, kbId, { url }, { storage, queue: h.queue, httpPolicy: loopback });
      await waitFor(async () => (await docRow(doc.id)).status === 'processing' && requested === 1, {
        what: 'the slow download to start',
      });
      const r = recovery();
      // Lease 300 ms; 1.2 s of sweeps every 100 ms would take over a run that stopped renewing.
      await r.start();
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await r.stop();
      expect((await docRow(doc.id)).status).toBe('processing');
      release();
      expect((await settled(doc.id)).status).toBe('ready');
      expect(requested).toBe(1);
      expect(h.outcomes).toEqual([{ documentId: doc.id, jobId: doc.id, outcome: 'ready' }]);
    } finally {
      release();
      site.close();
    }
  });

  it('many sweepers at once: one takeover, one re-delivery', async () => {
    const { ctx, kbId } = await orgWithBase();
    const lost = await uploadWithQueueDown(ctx, kbId, 'lost.txt');
    const crashed = await uploadWithQueueDown(ctx, kbId, 'crashed.txt', `${text} Another one.`);
    await crashMidRun(crashed.id);
    const deps = { db: app, queue: h.queue };
    const sweeps = await Promise.all([1, 2, 3, 4].map(() => sweepExpiredIngestions(deps)));
    expect(sweeps.reduce((n, s) => n + s.requeued, 0)).toBe(1);
    const isQueued = async (jobId: string) =>
      ['waiting', 'delayed', 'active'].includes((await h.queue.getJob('ingestion', jobId))?.state ?? '');
    const pending = await Promise.all(
      [1, 2, 3, 4].map(() => recoverPendingDocuments(deps, { olderThanMs: 0, isQueued })),
    );
    // `lost` needs a delivery; `crashed` got one from its takeover and is skipped while it waits.
    expect(pending.reduce((n, c) => n + c, 0)).toBeGreaterThanOrEqual(1);
    expect((await h.queue.getJob('ingestion', ingestionJobId(crashed.id, 2)))?.state).toBeUndefined();
    await h.consume();
    const rows = await Promise.all([settled(lost.id), settled(crashed.id)]);
    expect(rows.map((r) => r.status)).toEqual(['ready', 'ready']);
    for (const row of rows) expect(await chunkIndexes(row.id)).toEqual([...Array(row.chunkCount).keys()]);
    // Each document was claimed and stored once; any extra delivery found nothing to claim.
    const ready = h.outcomes.filter((o) => o.outcome === 'ready').map((o) => o.documentId);
    expect(ready.sort()).toEqual([lost.id, crashed.id].sort());
    expect(h.outcomes.every((o) => o.outcome === 'ready' || o.outcome === 'skipped')).toBe(true);
  });

  it('keeps tenants apart: a recovered job carries its own org, and another org cannot claim it', async () => {
    const a = await orgWithBase();
    const b = await orgWithBase();
    const doc = await uploadWithQueueDown(a.ctx, a.kbId, 'a.txt');
    expect(await recoverPendingDocuments({ db: app, queue: h.queue }, { olderThanMs: 0 })).toBe(1);
    const job = await h.queue.getJob('ingestion', ingestionJobId(doc.id, 1));
    expect(job?.payload).toEqual({ document_id: doc.id, org_id: a.ctx.orgId });
    const foreign = await ingestDocument(
      { db: app, storage, keyring },
      { orgId: b.ctx.orgId, documentId: doc.id },
    );
    expect(foreign.outcome).toBe('skipped');
    await h.consume();
    expect((await settled(doc.id)).status).toBe('ready');
  });
}

describe('ingestion recovery (inline queue)', () => {
  defineRecoverySuite(async () => {
    const queue = new InlineQueueDriver();
    return { queue, dispose: () => queue.close({ timeoutMs: 1_000 }).then(() => undefined) };
  });
});

describe.skipIf(!redisUrl)(`ingestion recovery (BullMQ)${redisUrl ? '' : ` (${REDIS_SKIP_REASON})`}`, () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    if (!redisUrl) return;
    const redis = createRedis(redisUrl, { role: 'producer' });
    for (const prefix of prefixes) await deleteKeysWithPrefix(redis, prefix);
    await closeRedis(redis);
  });
  defineRecoverySuite(async () => {
    const prefix = uniquePrefix('ingest-recovery');
    prefixes.push(prefix);
    const queue = new BullmqQueueDriver({ redisUrl: redisUrl!, prefix });
    return { queue, dispose: () => queue.close({ timeoutMs: 1_000 }).then(() => undefined) };
  });
});
