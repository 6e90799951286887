import { APP_ROLE } from '@agentflow/db';
import { executionSteps, executions } from '@agentflow/db/schema';
import { BullmqQueueDriver, createEventBus, type EventBus } from '@agentflow/queue';
import { REDIS_SKIP_REASON, uniquePrefix } from '@agentflow/queue/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import type { SpawnedServer } from '../../test-support/spawn-server';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { startWorkerProcess, stopWorkerProcess } from '../../test-support/worker-process';
import { createOrgWithOwner, type TestMember } from '../org/test-fixtures';
import { activeAgent, approvalDefinition, executionsClient, slowDefinition } from './runtime-fixtures';

const redisUrl = process.env.REDIS_URL;
const ready = Boolean(redisUrl && process.env.DATABASE_URL);

/**
 * Queue mode with the worker in separate processes (issue 5 acceptance): the API here enqueues on
 * BullMQ and publishes on Redis; `apps/worker` processes run the executions. Short leases and a fast
 * reaper make a killed worker's runs recoverable within seconds.
 */
describe.skipIf(!ready)(
  `executions across processes (BullMQ + worker processes)${ready ? '' : ` ${REDIS_SKIP_REASON}`}`,
  () => {
    const shared = sharedTestDatabase();
    const prefix = uniquePrefix('recovery');
    let app: App;
    let queue: BullmqQueueDriver;
    let events: EventBus;
    let owner: TestMember;
    const workers = new Set<SpawnedServer>();
    const x = executionsClient(() => app);
    const workerEnv = { EXECUTION_LEASE_MS: '1500', REAPER_INTERVAL_MS: '200', SHUTDOWN_TIMEOUT_MS: '300' };

    async function startWorker(env: Record<string, string> = {}) {
      const worker = await startWorkerProcess({
        databaseName: shared.get().name,
        queuePrefix: prefix,
        env: { ...workerEnv, ...env },
      });
      workers.add(worker);
      return worker;
    }
    async function stopWorker(worker: SpawnedServer, signal: NodeJS.Signals = 'SIGTERM') {
      const exit = await stopWorkerProcess(worker, signal);
      workers.delete(worker);
      return exit;
    }

    beforeAll(async () => {
      await shared.setup();
      queue = new BullmqQueueDriver({ redisUrl: redisUrl!, prefix });
      events = createEventBus({ redisUrl });
      ({ app } = await createTestApp({ database: shared.get().connectAs(APP_ROLE), queue, events }));
      owner = await createOrgWithOwner(app);
    }, 120_000);
    afterAll(async () => {
      await Promise.all([...workers].map((w) => stopWorkerProcess(w, 'SIGKILL')));
      await app?.close();
      await queue?.close({ timeoutMs: 1000 });
      await events?.close();
      await shared.teardown();
    }, 120_000);

    async function stepRows(id: string) {
      return shared
        .get()
        .db.select({ node: executionSteps.nodeKey, status: executionSteps.status })
        .from(executionSteps)
        .where(eq(executionSteps.executionId, id))
        .orderBy(executionSteps.stepOrder);
    }

    it('kill -9 of the worker mid-run: another worker continues from the checkpoint, no step runs twice', async () => {
      const a = await startWorker();
      const agentId = await activeAgent(app, owner, slowDefinition(2));
      const id = await x.start(owner, agentId);
      await x.waitForStep(owner, id, 'wait', 'running', 30_000);
      await stopWorker(a, 'SIGKILL');
      await startWorker();
      const done = await x.waitFor(owner, id, ['completed', 'failed'], 60_000);
      expect(done.status, JSON.stringify(done.error)).toBe('completed');
      expect(done.output).toMatchObject({ body: { step: 'second' } });

      const rows = await stepRows(id);
      // The interrupted step ran again; every step that had completed did not.
      expect(rows).toEqual([
        { node: 'trigger', status: 'completed' },
        { node: 'first', status: 'completed' },
        { node: 'wait', status: 'failed' },
        { node: 'wait', status: 'completed' },
        { node: 'second', status: 'completed' },
        { node: 'done', status: 'completed' },
      ]);
      const stored = await x.events(owner, id);
      expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
      const types = stored.map((e) => e.type).filter((t) => t !== 'log');
      expect(types.filter((t) => t.startsWith('execution.'))).toEqual([
        'execution.started',
        'execution.resumed',
        'execution.completed',
      ]);
      const [row] = await shared.get().db.select().from(executions).where(eq(executions.id, id));
      expect(row?.metadata).toMatchObject({ recoveries: 1 });
      expect(row?.attempts).toBe(2);
    }, 180_000);

    it('cancel reaches the worker process running it and stops the run within a second', async () => {
      if (workers.size === 0) await startWorker();
      const agentId = await activeAgent(app, owner, slowDefinition(30));
      const id = await x.start(owner, agentId);
      await x.waitForStep(owner, id, 'wait', 'running', 30_000);
      const asked = Date.now();
      expect((await x.call(owner, 'POST', `/api/v1/executions/${id}/cancel`)).json()).toMatchObject({
        cancel_requested: true,
      });
      const done = await x.waitFor(owner, id, ['cancelled', 'failed', 'completed'], 10_000);
      expect(done.status).toBe('cancelled');
      expect(Date.now() - asked).toBeLessThan(1_000);
    }, 120_000);

    it('approval after every worker restarted; a pending execution cancelled before it starts never runs', async () => {
      if (workers.size === 0) await startWorker();
      const agentId = await activeAgent(app, owner, approvalDefinition());
      const id = await x.start(owner, agentId, { what: 'the release' });
      await x.waitFor(owner, id, ['waiting_approval'], 30_000);
      for (const w of [...workers]) await stopWorker(w, 'SIGTERM');

      // No worker: this one stays pending, and is cancelled before anything runs it.
      const slowAgent = await activeAgent(app, owner, slowDefinition(1));
      const idle = await x.start(owner, slowAgent);
      expect((await x.get(owner, idle)).status).toBe('pending');
      expect((await x.call(owner, 'POST', `/api/v1/executions/${idle}/cancel`)).json()).toMatchObject({
        status: 'cancelled',
        cancel_requested: false,
      });

      const decided = await x.call(owner, 'POST', `/api/v1/executions/${id}/approve`, {
        decision: 'reject',
        comment: 'not today',
      });
      expect(decided.statusCode, decided.body).toBe(202);
      await startWorker();
      const done = await x.waitFor(owner, id, ['completed', 'failed'], 60_000);
      expect(done.output).toEqual({ shipped: false });
      const review = (await x.steps(owner, id)).find((s) => s.node_key === 'review');
      expect(review?.output).toMatchObject({ decision: 'rejected', comment: 'not today', by: owner.userId });

      // The cancelled one was delivered too, and the claim refused it.
      await new Promise((r) => setTimeout(r, 500));
      expect((await x.get(owner, idle)).status).toBe('cancelled');
      expect(await stepRows(idle)).toEqual([]);
    }, 180_000);

    it('graceful shutdown releases a run that outlives the drain deadline; another worker finishes it', async () => {
      for (const w of [...workers]) await stopWorker(w, 'SIGKILL');
      const a = await startWorker();
      const agentId = await activeAgent(app, owner, slowDefinition(3));
      const id = await x.start(owner, agentId);
      await x.waitForStep(owner, id, 'wait', 'running', 30_000);
      const exit = await stopWorker(a, 'SIGTERM');
      // It exited by itself after the drain deadline (code 1: a job had to be aborted, see shutdown.ts).
      expect(exit).toEqual({ code: 1, signal: null });
      // Handed back at once, not left to a lease expiry.
      const [row] = await shared.get().db.select().from(executions).where(eq(executions.id, id));
      expect(row?.status).toBe('pending');
      expect(row?.leaseOwner).toBeNull();
      await startWorker();
      const done = await x.waitFor(owner, id, ['completed', 'failed'], 60_000);
      expect(done.status).toBe('completed');
      expect((await stepRows(id)).filter((s) => s.status === 'completed').map((s) => s.node)).toEqual([
        'trigger',
        'first',
        'wait',
        'second',
        'done',
      ]);
    }, 180_000);
  },
);
