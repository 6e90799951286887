import { APP_ROLE, type Database } from '@agentflow/db';
import {
  agents,
  agentVersions,
  executionEvents,
  executionSteps,
  executions,
  organizations,
} from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import {
  BullmqQueueDriver,
  closeRedis,
  createEventBus,
  createRedis,
  type EventBus,
  executionChannel,
  executionJobId,
  InlineQueueDriver,
  type QueueDriver,
} from '@agentflow/queue';
import { deleteKeysWithPrefix, REDIS_SKIP_REASON, uniquePrefix, waitFor } from '@agentflow/queue/testing';
import { createKeyring, startExecution, starterDefinition } from '@agentflow/services';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../test-support';
import { startWorker } from '../worker';

const redisUrl = process.env.REDIS_URL;
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.cleanup();
});

/** The app-role handle for the worker; `cleanup()` closes it, so the worker's close must not. */
function workerDatabase(): Database {
  const app = database.connectAs(APP_ROLE);
  return { ...app, close: async () => {} };
}

async function seedActiveAgent(): Promise<{ orgId: string; agentId: string }> {
  const db = database.db;
  const slug = `org-${Math.random().toString(36).slice(2, 10)}`;
  const [org] = await db.insert(organizations).values({ name: 'Worker test', slug }).returning();
  const [agent] = await db
    .insert(agents)
    .values({ orgId: org!.id, name: 'Starter', status: 'active', triggerType: 'manual' })
    .returning();
  const [version] = await db
    .insert(agentVersions)
    .values({
      orgId: org!.id,
      agentId: agent!.id,
      version: 1,
      definition: starterDefinition('manual', {}),
      isPublished: true,
      publishedAt: new Date(),
    })
    .returning();
  await db
    .update(agents)
    .set({ publishedVersionId: version!.id, latestVersion: 1 })
    .where(eq(agents.id, agent!.id));
  return { orgId: org!.id, agentId: agent!.id };
}

interface Setup {
  consumer: QueueDriver;
  producer: QueueDriver;
  events: EventBus;
  dispose(): Promise<void>;
}

function defineExecutionSuite(setup: () => Promise<Setup>) {
  it('runs a queued execution end to end: steps, gap-free events stored and published in order', async () => {
    const { consumer, producer, events, dispose } = await setup();
    const { logger } = memoryLogger('warn');
    const keyring = createKeyring({ NODE_ENV: 'test' }, { warn: () => {} });
    const worker = await startWorker({
      queue: consumer,
      database: workerDatabase(),
      logger,
      concurrency: 2,
      shutdownTimeoutMs: 5_000,
      keyring,
    });
    const { orgId, agentId } = await seedActiveAgent();
    const appDb = database.connectAs(APP_ROLE);
    const ctx = { db: appDb.db, orgId, actor: { type: 'system' as const, reason: 'test' } };

    const { execution_id: id } = await startExecution(
      ctx,
      { agentId, triggerData: { message: 'from the queue' }, triggeredBy: 'api' },
      { queue: producer },
    );
    const received: number[] = [];
    const unsubscribe = await events.subscribe(executionChannel(id), (message) => {
      received.push(JSON.parse(message).seq);
    });

    const row = await waitFor(async () => {
      const [r] = await database.db.select().from(executions).where(eq(executions.id, id));
      return r && ['completed', 'failed'].includes(r.status) ? r : undefined;
    });
    expect(row).toMatchObject({ status: 'completed', attempts: 1, leaseOwner: null, errorCode: null });
    expect(JSON.stringify(row.output)).toContain('from the queue');

    const steps = await database.db
      .select()
      .from(executionSteps)
      .where(eq(executionSteps.executionId, id))
      .orderBy(asc(executionSteps.stepOrder));
    expect(steps.map((s) => [s.nodeKey, s.status])).toEqual([
      ['trigger', 'completed'],
      ['reply', 'completed'],
      ['respond', 'completed'],
    ]);
    const stored = await database.db
      .select()
      .from(executionEvents)
      .where(eq(executionEvents.executionId, id))
      .orderBy(asc(executionEvents.seq));
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(stored[0]?.type).toBe('execution.started');
    expect(stored.at(-1)?.type).toBe('execution.completed');

    // A re-delivery of a finished execution is skipped by the claim: nothing runs twice.
    await producer.enqueue(
      'executions',
      { execution_id: id, org_id: orgId },
      { jobId: executionJobId(id, 1) },
    );
    await new Promise((r) => setTimeout(r, 300));
    const after = await database.db.select().from(executionSteps).where(eq(executionSteps.executionId, id));
    expect(after).toHaveLength(3);
    const [again] = await database.db.select().from(executions).where(eq(executions.id, id));
    expect(again?.attempts).toBe(1);

    // Subscribed after the start, so the first events may have been missed; what arrived is in order.
    expect(received).toEqual([...received].sort((a, b) => a - b));
    await unsubscribe();
    expect((await worker.close()).clean).toBe(true);
    await dispose();
  });
}

describe('executions processor (inline driver)', () => {
  defineExecutionSuite(async () => {
    const driver = new InlineQueueDriver();
    const events = createEventBus({});
    return { consumer: driver, producer: driver, events, dispose: () => events.close() };
  });
});

describe.skipIf(!redisUrl)(
  `executions processor (BullMQ)${redisUrl ? '' : ` (${REDIS_SKIP_REASON})`}`,
  () => {
    const prefixes: string[] = [];
    afterAll(async () => {
      if (!redisUrl) return;
      const redis = createRedis(redisUrl, { role: 'producer' });
      for (const prefix of prefixes) await deleteKeysWithPrefix(redis, prefix);
      await closeRedis(redis);
    });
    defineExecutionSuite(async () => {
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
          await events.close();
        },
      };
    });
  },
);
