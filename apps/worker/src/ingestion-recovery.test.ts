import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ROLE } from '@agentflow/db';
import { documentChunks, documents, knowledgeBases, organizations } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { BullmqQueueDriver, closeRedis, createRedis, InlineQueueDriver } from '@agentflow/queue';
import { deleteKeysWithPrefix, REDIS_SKIP_REASON, uniquePrefix, waitFor } from '@agentflow/queue/testing';
import {
  addUrlDocument,
  createLocalStorage,
  DEFAULT_LOCAL_EMBEDDING_MODEL,
  uploadDocuments,
} from '@agentflow/services';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorker, type WorkerRun } from './test-support/process';

const redisUrl = process.env.REDIS_URL;
const ready = Boolean(redisUrl && process.env.DATABASE_URL);
const text = Array.from({ length: 30 }, (_, i) => `Line ${i} of the handbook explains step ${i}.`).join(' ');

/**
 * Worker processes (src/main.ts, real BullMQ, Postgres) and documents the API accepted: a worker killed
 * mid-ingestion leaves its document `processing` until another worker's sweep takes it over; a document
 * whose enqueue failed is delivered by the next worker's startup recovery.
 */
describe.skipIf(!ready)(
  `ingestion across worker processes${ready ? '' : ` (${REDIS_SKIP_REASON}; DATABASE_URL is required too)`}`,
  () => {
    const prefix = uniquePrefix('ingest-proc');
    let database: TestDatabase;
    let dataDir: string;
    let producer: BullmqQueueDriver;
    let site: Server;
    let siteUrl: string;
    const held: Array<() => void> = [];
    let holdNext = false;
    let requests = 0;
    const runs: WorkerRun[] = [];

    beforeAll(async () => {
      database = await createTestDatabase();
      dataDir = await mkdtemp(join(tmpdir(), 'af-worker-recovery-'));
      producer = new BullmqQueueDriver({ redisUrl: redisUrl!, prefix });
      site = createServer((_req, res) => {
        requests++;
        const answer = () => {
          res.setHeader('content-type', 'text/plain');
          res.end(text);
        };
        // Holding the answer keeps the worker inside ingestion, so it can be killed there.
        if (holdNext) {
          holdNext = false;
          held.push(answer);
        } else answer();
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    }, 120_000);

    afterAll(async () => {
      for (const run of runs) run.child.kill('SIGKILL');
      await Promise.all(runs.map((run) => run.exited));
      for (const answer of held) answer();
      site?.close();
      await producer?.close({ timeoutMs: 1_000 });
      const redis = createRedis(redisUrl!, { role: 'producer' });
      await deleteKeysWithPrefix(redis, prefix);
      await closeRedis(redis);
      await database?.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    }, 60_000);

    const start = (env: Record<string, string> = {}) =>
      startTestWorker(
        { databaseName: database.name, queuePrefix: prefix, dataDir },
        { INGESTION_LEASE_MS: '1500', INGESTION_SWEEP_INTERVAL_MS: '200', ...env },
      ).then((run) => {
        runs.push(run);
        return run;
      });

    async function orgWithBase() {
      const slug = `org-${Math.random().toString(36).slice(2, 10)}`;
      const [org] = await database.db.insert(organizations).values({ name: 'Recovery', slug }).returning();
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
      const ctx = {
        db: database.connectAs(APP_ROLE).db,
        orgId: org!.id,
        actor: { type: 'system' as const, reason: 'worker recovery test' },
      };
      return { ctx, kbId: kb!.id };
    }

    const row = async (id: string) =>
      (await database.db.select().from(documents).where(eq(documents.id, id)))[0]!;
    const settled = (id: string, timeoutMs = 30_000) =>
      waitFor(
        async () => {
          const r = await row(id);
          return r.status === 'ready' || r.status === 'failed' ? r : undefined;
        },
        { timeoutMs, what: `document ${id} to settle` },
      );
    const chunkIndexes = async (id: string) =>
      (
        await database.db
          .select({ i: documentChunks.chunkIndex })
          .from(documentChunks)
          .where(eq(documentChunks.documentId, id))
          .orderBy(asc(documentChunks.chunkIndex))
      ).map((r) => r.i);

    // What the API does: it allow-lists loopback (so it accepts the URL) and enqueues on BullMQ.
    const addUrl = (ctx: Awaited<ReturnType<typeof orgWithBase>>['ctx'], kbId: string, path: string) =>
      addUrlDocument(
        ctx,
        kbId,
        { url: `${siteUrl}${path}` },
        {
          storage: createLocalStorage(join(dataDir, 'files')),
          queue: producer,
          httpPolicy: { allowCidrs: ['127.0.0.0/8'] },
        },
      );

    it('kill -9 mid-ingestion: the next worker re-runs the document once its claim expired, and delivers one whose enqueue failed', async () => {
      const { ctx, kbId } = await orgWithBase();
      const allow = { HTTP_NODE_ALLOW_CIDRS: '127.0.0.1/32' };
      const a = await start(allow);
      holdNext = true;
      const before = requests;
      const doc = await addUrl(ctx, kbId, '/handbook.txt');
      await waitFor(async () => requests === before + 1 && (await row(doc.id)).status === 'processing', {
        timeoutMs: 20_000,
        what: 'worker A to be downloading the document',
      });
      await a.stop('SIGKILL');
      expect(await row(doc.id)).toMatchObject({ status: 'processing' });

      // Meanwhile the API accepted an upload while Redis was unreachable: no job exists for it.
      const down = new InlineQueueDriver();
      await down.close();
      const [lost] = await uploadDocuments(ctx, kbId, [{ name: 'lost.txt', bytes: Buffer.from(text) }], {
        storage: createLocalStorage(join(dataDir, 'files')),
        queue: down,
      });
      expect(lost!.status).toBe('pending');

      const b = await start(allow);
      try {
        const [recovered, delivered] = await Promise.all([settled(doc.id), settled(lost!.id)]);
        expect(recovered.status, recovered.errorMessage ?? '').toBe('ready');
        expect(delivered.status, delivered.errorMessage ?? '').toBe('ready');
        // Stored once: the dead run stored nothing, the re-run replaced nothing twice.
        expect(await chunkIndexes(doc.id)).toEqual([...Array(recovered.chunkCount).keys()]);
        expect(recovered.chunkCount).toBe(delivered.chunkCount);
        expect(recovered.chunkCount).toBeGreaterThan(2);
        expect(recovered.metadata).not.toHaveProperty('ingestion_recoveries');
        expect(requests).toBe(before + 2);
        const pass = b.lines.find((line) => line.msg === 'ingestion recovery pass' && line.requeued === 1);
        expect(pass, b.output()).toBeDefined();
      } finally {
        expect((await b.stop('SIGTERM')).code).toBe(0);
      }
    }, 120_000);
  },
);
