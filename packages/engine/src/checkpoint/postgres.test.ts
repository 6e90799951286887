import { randomUUID } from 'node:crypto';
import { APP_ROLE, type Database } from '@agentflow/db';
import { organizations } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { type Checkpoint, emptyCheckpoint } from '@langchain/langgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDefinition } from '../compiler/compile';
import { edge, node, testServices, trigger } from '../test-utils';
import { createPostgresCheckpointer } from './postgres';

const approvalDef = {
  nodes: [
    trigger(),
    node('draft', 'transform', 'set', { values: { text: 'Refund {{trigger.data.amount}} EUR' } }),
    node('ok', 'human', 'approval', { message: 'Approve: {{node_draft.output.text}}?' }),
    node('send', 'output', 'respond', { body: { sent: true, by: '{{node_ok.output.by}}' } }),
    node('drop', 'output', 'respond', { body: { sent: false } }),
  ],
  edges: [
    edge('e1', 'start', 'draft'),
    edge('e2', 'draft', 'ok'),
    edge('e3', 'ok', 'send', { source_handle: 'approved' }),
    edge('e4', 'ok', 'drop', { source_handle: 'rejected' }),
  ],
};

function checkpoint(
  id: string,
  values: Record<string, unknown>,
  versions: Record<string, number>,
): Checkpoint {
  return { ...emptyCheckpoint(), id, channel_values: values, channel_versions: versions };
}

async function collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of gen) out.push(item);
  return out;
}

describe(`postgres checkpointer (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, {
  timeout: 60_000,
}, () => {
  let testDb: TestDatabase;
  let app: Database;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    app = testDb.connectAs(APP_ROLE);
    const rows = await testDb.db
      .insert(organizations)
      .values([
        { name: 'A', slug: `a-${randomUUID()}` },
        { name: 'B', slug: `b-${randomUUID()}` },
      ])
      .returning({ id: organizations.id });
    orgA = rows[0]?.id ?? '';
    orgB = rows[1]?.id ?? '';
  }, 120_000);

  afterAll(async () => {
    await testDb?.cleanup();
  });

  it('put / getTuple / list / putWrites / deleteThread round trip', async () => {
    const saver = createPostgresCheckpointer(app.db, { orgId: orgA });
    const thread = randomUUID();
    const cfg = { configurable: { thread_id: thread, checkpoint_ns: '' } };

    const cp1 = checkpoint('cp-0001', { a: { n: 1 }, b: 'x' }, { a: 1, b: 1 });
    const c1 = await saver.put(cfg, cp1, { source: 'input', step: -1, parents: {} }, { a: 1, b: 1 });
    expect(c1).toEqual({ configurable: { thread_id: thread, checkpoint_ns: '', checkpoint_id: 'cp-0001' } });

    // Only `a` changes: `b` must come back from the blob stored with cp1.
    const cp2 = checkpoint('cp-0002', { a: { n: 2, list: [1, 2] }, b: 'x' }, { a: 2, b: 1 });
    const c2 = await saver.put(c1, cp2, { source: 'loop', step: 0, parents: {} }, { a: 2 });

    await saver.putWrites(
      c2,
      [
        ['a', { n: 3 }],
        ['b', 'y'],
      ],
      'task-1',
    );
    await saver.putWrites(c2, [['a', { n: 99 }]], 'task-1'); // same (task, idx): kept as first written
    await saver.putWrites(c2, [['__interrupt__', { v: 1 }]], 'task-2');
    await saver.putWrites(c2, [['__interrupt__', { v: 2 }]], 'task-2'); // special write: replaced

    const latest = await saver.getTuple({ configurable: { thread_id: thread } });
    expect(latest?.config.configurable?.checkpoint_id).toBe('cp-0002');
    expect(latest?.checkpoint.channel_values).toEqual({ a: { n: 2, list: [1, 2] }, b: 'x' });
    expect(latest?.checkpoint.channel_versions).toEqual({ a: 2, b: 1 });
    expect(latest?.metadata).toEqual({ source: 'loop', step: 0, parents: {} });
    expect(latest?.parentConfig).toEqual({
      configurable: { thread_id: thread, checkpoint_ns: '', checkpoint_id: 'cp-0001' },
    });
    expect(latest?.pendingWrites).toEqual([
      ['task-1', 'a', { n: 3 }],
      ['task-1', 'b', 'y'],
      ['task-2', '__interrupt__', { v: 2 }],
    ]);

    const first = await saver.getTuple({ configurable: { thread_id: thread, checkpoint_id: 'cp-0001' } });
    expect(first?.checkpoint.channel_values).toEqual({ a: { n: 1 }, b: 'x' });
    expect(first?.parentConfig).toBeUndefined();
    expect(first?.pendingWrites).toEqual([]);
    expect(await saver.get({ configurable: { thread_id: thread, checkpoint_id: 'nope' } })).toBeUndefined();

    const ids = (list: { config: { configurable?: Record<string, unknown> } }[]) =>
      list.map((t) => t.config.configurable?.checkpoint_id);
    expect(ids(await collect(saver.list(cfg)))).toEqual(['cp-0002', 'cp-0001']);
    expect(ids(await collect(saver.list(cfg, { limit: 1 })))).toEqual(['cp-0002']);
    expect(ids(await collect(saver.list(cfg, { before: c2 })))).toEqual(['cp-0001']);
    expect(ids(await collect(saver.list(cfg, { filter: { source: 'input' } })))).toEqual(['cp-0001']);
    expect(
      ids(await collect(saver.list({ configurable: { thread_id: thread, checkpoint_ns: 'other' } }))),
    ).toEqual([]);

    await saver.deleteThread(thread);
    expect(await saver.getTuple(cfg)).toBeUndefined();
    expect(await collect(saver.list(cfg))).toEqual([]);
  });

  it('pauses on a human node, then another worker (new connection, new saver) resumes it', async () => {
    const threadId = randomUUID();
    const worker1 = compileDefinition(approvalDef, {
      services: testServices(),
      checkpointer: createPostgresCheckpointer(app.db, { orgId: orgA }),
    });
    const paused = await worker1.run({ type: 'manual', data: { amount: 40 } }, { threadId });
    expect(paused.status).toBe('waiting_approval');
    if (paused.status !== 'waiting_approval') return;
    expect(paused.interrupts[0]?.value).toMatchObject({ kind: 'approval', node_id: 'ok' });

    const app2 = testDb.connectAs(APP_ROLE);
    try {
      const worker2 = compileDefinition(approvalDef, {
        services: testServices(),
        checkpointer: createPostgresCheckpointer(app2.db, { orgId: orgA }),
      });
      const done = await worker2.resume({ decision: 'approve', by: 'user-7' }, { threadId });
      expect(done).toMatchObject({ status: 'completed', output: { body: { sent: true, by: 'user-7' } } });
      expect(done.state.steps).toEqual(['start', 'draft', 'ok', 'send']);

      // RLS: another org sees nothing of the thread and cannot delete it.
      const other = createPostgresCheckpointer(app2.db, { orgId: orgB });
      expect(await other.getTuple({ configurable: { thread_id: threadId } })).toBeUndefined();
      expect(await collect(other.list({ configurable: { thread_id: threadId } }))).toEqual([]);
      expect(await collect(other.list({ configurable: {} }))).toEqual([]);
      await other.deleteThread(threadId);
      const own = createPostgresCheckpointer(app2.db, { orgId: orgA });
      expect(await own.getTuple({ configurable: { thread_id: threadId } })).toBeDefined();
    } finally {
      await app2.close();
    }
  });

  it("stores a task's writes and what afterWrites does in one transaction", async () => {
    const threadId = randomUUID();
    const seen: Array<{ taskId: string; channels: string[] }> = [];
    let failNext = false;
    const saver = createPostgresCheckpointer(app.db, {
      orgId: orgA,
      afterWrites: async (_tx, writes, taskId) => {
        seen.push({ taskId, channels: writes.map(([c]) => c) });
        if (failNext) throw new Error('step bookkeeping failed');
      },
    });
    const config = { configurable: { thread_id: threadId, checkpoint_ns: '' } };
    const saved = await saver.put(
      config,
      checkpoint('c1', {}, {}),
      { source: 'loop', step: 0, parents: {} },
      {},
    );
    await saver.putWrites(saved, [['steps', ['draft']]], 'task-1');
    expect(seen).toEqual([{ taskId: 'task-1', channels: ['steps'] }]);
    // A failing afterWrites rolls the writes back with it: never one without the other.
    failNext = true;
    await expect(saver.putWrites(saved, [['nodes', { x: 1 }]], 'task-2')).rejects.toThrow(
      'step bookkeeping failed',
    );
    const tuple = await saver.getTuple(saved);
    expect(tuple?.pendingWrites?.map(([task, channel]) => [task, channel])).toEqual([['task-1', 'steps']]);
  });

  it('newThreadId: reads nothing for a thread known to be new until this saver stores a checkpoint', async () => {
    const threadId = randomUUID();
    const config = { configurable: { thread_id: threadId, checkpoint_ns: '' } };
    const meta = { source: 'loop' as const, step: 0, parents: {} };
    // Another saver stored one: a saver told the thread is new does not even look.
    await createPostgresCheckpointer(app.db, { orgId: orgA }).put(config, checkpoint('c1', {}, {}), meta, {});
    const saver = createPostgresCheckpointer(app.db, { orgId: orgA, newThreadId: threadId });
    expect(await saver.getTuple(config)).toBeUndefined();
    await saver.put(config, checkpoint('c2', {}, {}), meta, {});
    expect((await saver.getTuple(config))?.checkpoint.id).toBe('c2');
  });

  it('store: hands its writes over as rows instead of running SQL', async () => {
    const threadId = randomUUID();
    const stored: string[] = [];
    const saver = createPostgresCheckpointer(app.db, {
      orgId: orgA,
      store: {
        put: async (row) => {
          stored.push(`put ${row.checkpointId} ${row.blobs.map((b) => b.channel).join(',')}`);
        },
        putWrites: async (rows, writes) => {
          stored.push(`writes ${rows.taskId} ${rows.writes.length} ${writes.map(([c]) => c).join(',')}`);
        },
      },
    });
    const config = { configurable: { thread_id: threadId, checkpoint_ns: '' } };
    const saved = await saver.put(
      config,
      checkpoint('c1', { steps: ['a'] }, { steps: 1 }),
      { source: 'loop', step: 0, parents: {} },
      { steps: 1 },
    );
    await saver.putWrites(saved, [['steps', ['b']]], 'task-1');
    expect(stored).toEqual(['put c1 steps', 'writes task-1 1 steps']);
    expect(await saver.getTuple(config)).toBeUndefined();
  });
});
