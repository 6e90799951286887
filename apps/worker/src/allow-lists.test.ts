import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ROLE } from '@agentflow/db';
import {
  agents,
  agentVersions,
  documents,
  executions,
  knowledgeBases,
  organizations,
} from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { BullmqQueueDriver, closeRedis, createRedis } from '@agentflow/queue';
import { deleteKeysWithPrefix, REDIS_SKIP_REASON, uniquePrefix, waitFor } from '@agentflow/queue/testing';
import {
  addUrlDocument,
  createLocalStorage,
  DEFAULT_LOCAL_EMBEDDING_MODEL,
  startExecution,
  starterDefinition,
} from '@agentflow/services';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorker, type WorkerRun } from './test-support/process';

const redisUrl = process.env.REDIS_URL;
const ready = Boolean(redisUrl && process.env.DATABASE_URL);

/**
 * The API accepts internal URLs its operator allow-listed (HTTP_NODE_ALLOW_*); the work itself runs in
 * the worker, so the worker must read the same variables: a worker process without them refuses the
 * URL document and the HTTP node's call to 127.0.0.1, one with them fetches both.
 */
describe.skipIf(!ready)(
  `SSRF allow-lists in the worker process${ready ? '' : ` (${REDIS_SKIP_REASON}; DATABASE_URL is required too)`}`,
  () => {
    const prefix = uniquePrefix('allow');
    let database: TestDatabase;
    let dataDir: string;
    let producer: BullmqQueueDriver;
    let site: Server;
    let siteUrl: string;
    const paths: string[] = [];
    const runs: WorkerRun[] = [];

    beforeAll(async () => {
      database = await createTestDatabase();
      dataDir = await mkdtemp(join(tmpdir(), 'af-worker-allow-'));
      producer = new BullmqQueueDriver({ redisUrl: redisUrl!, prefix });
      site = createServer((req, res) => {
        paths.push(req.url ?? '');
        res.setHeader('content-type', 'text/plain');
        res.end(`Internal page ${req.url}: the intranet explains how builds are deployed on Fridays.`);
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    }, 120_000);

    afterAll(async () => {
      for (const run of runs) run.child.kill('SIGKILL');
      await Promise.all(runs.map((run) => run.exited));
      site?.close();
      await producer?.close({ timeoutMs: 1_000 });
      const redis = createRedis(redisUrl!, { role: 'producer' });
      await deleteKeysWithPrefix(redis, prefix);
      await closeRedis(redis);
      await database?.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    }, 60_000);

    async function seedOrg() {
      const db = database.db;
      const slug = `org-${Math.random().toString(36).slice(2, 10)}`;
      const [org] = await db.insert(organizations).values({ name: 'Allow', slug }).returning();
      const [kb] = await db
        .insert(knowledgeBases)
        .values({ orgId: org!.id, name: 'KB', embeddingModel: DEFAULT_LOCAL_EMBEDDING_MODEL, chunkSize: 200 })
        .returning();
      // An agent whose HTTP node calls the internal site.
      const [trigger] = starterDefinition('manual', {}).nodes;
      const definition = {
        nodes: [
          trigger,
          {
            id: 'fetch',
            type: 'action',
            subtype: 'http_request',
            label: 'Fetch',
            config: { url: `${siteUrl}/from-http-node` },
            position: { x: 0, y: 150 },
          },
        ],
        edges: [{ id: 'e1', source: 'trigger', target: 'fetch' }],
      };
      const [agent] = await db
        .insert(agents)
        .values({ orgId: org!.id, name: 'Fetcher', status: 'active', triggerType: 'manual' })
        .returning();
      const [version] = await db
        .insert(agentVersions)
        .values({
          orgId: org!.id,
          agentId: agent!.id,
          version: 1,
          definition,
          isPublished: true,
          publishedAt: new Date(),
        })
        .returning();
      await db
        .update(agents)
        .set({ publishedVersionId: version!.id, latestVersion: 1 })
        .where(eq(agents.id, agent!.id));
      const ctx = {
        db: database.connectAs(APP_ROLE).db,
        orgId: org!.id,
        actor: { type: 'system' as const, reason: 'allow-list test' },
      };
      return { ctx, kbId: kb!.id, agentId: agent!.id };
    }

    /** What the API does for both (it allow-lists loopback, so it accepts them), then waits for the worker. */
    async function fetchBoth(org: Awaited<ReturnType<typeof seedOrg>>, name: string) {
      const doc = await addUrlDocument(
        org.ctx,
        org.kbId,
        { url: `${siteUrl}/${name}.txt` },
        {
          storage: createLocalStorage(join(dataDir, 'files')),
          queue: producer,
          httpPolicy: { allowCidrs: ['127.0.0.0/8'] },
        },
      );
      const run = await startExecution(
        org.ctx,
        { agentId: org.agentId, triggerData: {}, triggeredBy: 'manual' },
        { queue: producer },
      );
      const settled = await waitFor(
        async () => {
          const [d] = await database.db.select().from(documents).where(eq(documents.id, doc.id));
          const [e] = await database.db.select().from(executions).where(eq(executions.id, run.execution_id));
          const done = ['completed', 'failed', 'cancelled'];
          return (d!.status === 'ready' || d!.status === 'failed') && done.includes(e!.status)
            ? { document: d!, execution: e! }
            : undefined;
        },
        { timeoutMs: 30_000, what: 'the document and the execution to finish' },
      );
      return settled;
    }

    it('refuses internal URLs without HTTP_NODE_ALLOW_CIDRS, fetches them with it', async () => {
      const org = await seedOrg();
      const strict = await startTestWorker({ databaseName: database.name, queuePrefix: prefix, dataDir });
      runs.push(strict);
      const refused = await fetchBoth(org, 'strict');
      expect((await strict.stop('SIGTERM')).code).toBe(0);
      expect(refused.document.status).toBe('failed');
      expect(refused.document.errorMessage).toMatch(/^The URL is not allowed: .*127\.0\.0\.1/);
      expect(refused.execution.status).toBe('failed');
      expect(`${refused.execution.errorCode} ${refused.execution.errorMessage}`).toMatch(/127\.0\.0\.1|SSRF/);
      expect(paths).toEqual([]);

      const allowing = await startTestWorker(
        { databaseName: database.name, queuePrefix: prefix, dataDir },
        { HTTP_NODE_ALLOW_CIDRS: '127.0.0.1/32' },
      );
      runs.push(allowing);
      const fetched = await fetchBoth(org, 'allowed');
      expect((await allowing.stop('SIGTERM')).code).toBe(0);
      expect(fetched.document.status, fetched.document.errorMessage ?? '').toBe('ready');
      expect(fetched.document.chunkCount).toBeGreaterThan(0);
      expect(fetched.execution.status, fetched.execution.errorMessage ?? '').toBe('completed');
      expect(paths.sort()).toEqual(['/allowed.txt', '/from-http-node']);
    }, 120_000);
  },
);
