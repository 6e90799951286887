import { randomUUID } from 'node:crypto';
import { APP_ROLE, type Db, rowsOf } from '@agentflow/db';
import { executionEvents, executions, organizations } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../agents/agents';
import type { ServiceContext } from '../context';
import type { BatchRows } from './batch';
import { createRecorder, type EventPublisher } from './recorder';

let database: TestDatabase;
let app: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  app = database.connectAs(APP_ROLE).db;
}, 120_000);
afterAll(async () => {
  await database?.cleanup();
});

/** A running execution of a fresh org's agent: the recorder's rows need it (foreign keys). */
async function runningExecution(): Promise<{ orgId: string; executionId: string }> {
  const suffix = randomUUID().slice(0, 8);
  const [org] = await database.db
    .insert(organizations)
    .values({ name: `Org ${suffix}`, slug: `org-${suffix}` })
    .returning({ id: organizations.id });
  const ctx: ServiceContext = { db: app, orgId: org!.id, actor: { type: 'system', reason: 'recorder test' } };
  const agent = await createAgent(ctx, {
    name: 'Recorder',
    template: 'blank',
    trigger_type: 'manual',
  } as never);
  const [row] = await database.db
    .insert(executions)
    .values({ orgId: org!.id, agentId: agent.id, triggeredBy: 'manual', status: 'running' })
    .returning({ id: executions.id });
  return { orgId: org!.id, executionId: row!.id };
}

const txid = async (tx: Db) =>
  String(rowsOf<{ id: string }>(await tx.execute(sql`select txid_current()::text as id`))[0]!.id);

const COUNTED = ['execution_steps', 'execution_events', 'graph_checkpoint_writes', 'graph_checkpoints'];

/**
 * Counts statements per table and operation with statement-level triggers (a statement fires them
 * once whatever its row count; each `with` part is a statement of its own).
 */
async function countStatements(): Promise<{
  reset(): Promise<void>;
  read(): Promise<Record<string, number>>;
}> {
  await database.db.execute(sql`create table if not exists test_statement_counts (tbl text, op text)`);
  await database.db.execute(sql`
    create or replace function test_count_statement() returns trigger
    language plpgsql security definer as $$
    begin
      insert into test_statement_counts values (tg_table_name, tg_op);
      return null;
    end $$`);
  for (const table of COUNTED) {
    await database.db.execute(
      sql.raw(`create or replace trigger test_count_${table} after insert or update on ${table}
               for each statement execute function test_count_statement()`),
    );
  }
  return {
    reset: async () => {
      await database.db.execute(sql`truncate test_statement_counts`);
    },
    read: async () => {
      const rows = rowsOf<{ key: string; n: number }>(
        await database.db.execute(
          sql`select tbl || ' ' || op as key, count(*)::int as n from test_statement_counts group by 1`,
        ),
      );
      return Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));
    },
  };
}

const stepStart = (id: string, n: number) => ({
  id,
  nodeKey: `n${n}`,
  nodeType: 'transform',
  stepOrder: n,
  attempt: 1,
  input: { n },
  startedAt: new Date().toISOString(),
});
const stepDone = (id: string, n: number) => ({
  id,
  output: { n },
  tokens: 0,
  cost: '0.000000',
  durationMs: 1,
  completedAt: new Date().toISOString(),
});

async function storedEvents(executionId: string) {
  return database.db
    .select({ seq: executionEvents.seq, type: executionEvents.type, payload: executionEvents.payload })
    .from(executionEvents)
    .where(eq(executionEvents.executionId, executionId))
    .orderBy(asc(executionEvents.seq));
}

describe('execution recorder (group commit)', () => {
  it('commits writes issued together in one transaction, later ones in the next, seq in call order', async () => {
    const ids = await runningExecution();
    const recorder = createRecorder({ db: app, ...ids, lastSeq: 0 });
    const first = [1, 2, 3].map((n) =>
      recorder.write(async (tx, emit) => {
        emit('log', { n });
        return txid(tx);
      }),
    );
    const together = await Promise.all(first);
    expect(new Set(together).size).toBe(1);
    const later = await recorder.write(async (tx, emit) => {
      emit('log', { n: 4 });
      return txid(tx);
    });
    expect(later).not.toBe(together[0]);
    expect(recorder.seq).toBe(4);
    expect((await storedEvents(ids.executionId)).map((e) => [e.seq, e.payload])).toEqual([
      [1, { n: 1 }],
      [2, { n: 2 }],
      [3, { n: 3 }],
      [4, { n: 4 }],
    ]);
  });

  it('queues writes issued while a transaction is in flight into the next one', async () => {
    const ids = await runningExecution();
    const recorder = createRecorder({ db: app, ...ids, lastSeq: 0 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = recorder.write(async (tx) => {
      await gate;
      return txid(tx);
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const queued = [recorder.write(txid), recorder.write(txid), recorder.write(txid)];
    release();
    const [a, ...rest] = await Promise.all([slow, ...queued]);
    expect(new Set(rest).size).toBe(1);
    expect(rest[0]).not.toBe(a);
  });

  it('a failing batch rejects every write in it and stores none of its events; the next batch goes on', async () => {
    const ids = await runningExecution();
    const recorder = createRecorder({ db: app, ...ids, lastSeq: 0 });
    const ok = recorder.write(async (_tx, emit) => emit('log', { n: 'kept?' }));
    const bad = recorder.write(async (tx) => {
      await tx.execute(sql`select 1/0`);
    });
    await expect(ok).rejects.toThrow();
    await expect(bad).rejects.toThrow();
    expect(recorder.seq).toBe(0);
    await recorder.write(async (_tx, emit) => emit('log', { n: 'after' }));
    expect((await storedEvents(ids.executionId)).map((e) => [e.seq, e.payload])).toEqual([
      [1, { n: 'after' }],
    ]);
  });

  it('publishes after the commit, in seq order, and idle() waits for the publishes', async () => {
    const ids = await runningExecution();
    // The order publish() is called in is the order a bus delivers (one connection, in call order).
    const called: number[] = [];
    const committed: boolean[] = [];
    let inFlight = 0;
    const events: EventPublisher = {
      async publish(_channel, message) {
        const { seq } = JSON.parse(message) as { seq: number };
        called.push(seq);
        inFlight++;
        // Visible to another connection = committed before it was published.
        const [row] = await database.db
          .select({ seq: executionEvents.seq })
          .from(executionEvents)
          .where(
            sql`${executionEvents.executionId} = ${ids.executionId} and ${executionEvents.seq} = ${seq}`,
          );
        committed.push(row !== undefined);
        inFlight--;
      },
    };
    const recorder = createRecorder({ db: app, ...ids, lastSeq: 0, events });
    for (let i = 0; i < 5; i++) void recorder.write(async (_tx, emit) => emit('log', { i }));
    await recorder.idle();
    expect(inFlight).toBe(0);
    expect(called).toEqual([1, 2, 3, 4, 5]);
    expect(committed).toEqual([true, true, true, true, true]);
  });

  it('stores a batch of any size with ONE statement per table: a step started and completed in it is inserted once', async () => {
    const counter = await countStatements();
    const ids = await runningExecution();
    const recorder = createRecorder({ db: app, ...ids, lastSeq: 0 });
    const checkpoint = (rows: BatchRows, n: number) => {
      rows.checkpointWrites({
        executionId: ids.executionId,
        threadId: ids.executionId,
        checkpointNs: '',
        checkpointId: `cp${n}`,
        taskId: `task${n}`,
        taskPath: '',
        writes: [{ idx: 0, channel: 'steps', type: 'json', blob: Buffer.from('[]').toString('base64') }],
      });
      rows.checkpoint({
        executionId: ids.executionId,
        threadId: ids.executionId,
        checkpointNs: '',
        checkpointId: `cp${n + 1}`,
        parentCheckpointId: `cp${n}`,
        type: 'json',
        checkpoint: JSON.stringify({ v: 4, id: `cp${n + 1}`, channel_versions: {} }),
        metadata: '{}',
        blobs: [{ channel: 'steps', version: String(n + 1), type: 'json', blob: null }],
      });
    };
    const steps = Array.from({ length: 5 }, () => randomUUID());
    await counter.reset();
    // Five steps, each started, completed and checkpointed, all issued in the same turn: one batch.
    const writes = steps.flatMap((id, n) => [
      recorder.stage((rows, emit) => {
        rows.startStep(stepStart(id, n + 1));
        emit('step.started', { step_id: id });
      }),
      recorder.stage((rows, emit, log) => {
        checkpoint(rows, n * 2);
        rows.completeStep(stepDone(id, n + 1));
        emit('step.completed', { step_id: id });
        log('info', `step ${n + 1} done`, undefined, id);
      }),
    ]);
    await Promise.all(writes);
    // An upsert (insert ... on conflict do update) fires the update triggers too: still one statement.
    expect(await counter.read()).toEqual({
      'execution_steps INSERT': 1,
      'execution_events INSERT': 1,
      'graph_checkpoint_writes INSERT': 1,
      'graph_checkpoint_writes UPDATE': 1,
      'graph_checkpoints INSERT': 1,
      'graph_checkpoints UPDATE': 1,
    });
    expect(recorder.seq).toBe(15);

    // Started in one batch, completed in the next: one update for all of them.
    const later = [randomUUID(), randomUUID(), randomUUID()];
    await Promise.all(later.map((id, n) => recorder.stage((rows) => rows.startStep(stepStart(id, 10 + n)))));
    await counter.reset();
    await Promise.all(
      later.map((id, n) => recorder.stage((rows) => rows.completeStep(stepDone(id, 10 + n)))),
    );
    expect(await counter.read()).toEqual({ 'execution_steps UPDATE': 1 });

    const stored = rowsOf<{ status: string; n: number }>(
      await database.db.execute(sql`
        select status, count(*)::int as n from execution_steps
        where execution_id = ${ids.executionId} group by status`),
    );
    expect(stored).toEqual([{ status: 'completed', n: 8 }]);
    const logs = rowsOf<{ n: number }>(
      await database.db.execute(
        sql`select count(*)::int as n from execution_logs where execution_id = ${ids.executionId}`,
      ),
    );
    expect(logs[0]?.n).toBe(5);
  });

  it('fails the whole batch when a completion finds no stored start', async () => {
    const ids = await runningExecution();
    const recorder = createRecorder({ db: app, ...ids, lastSeq: 0 });
    const started = randomUUID();
    const ok = recorder.stage((rows, emit) => {
      rows.startStep(stepStart(started, 1));
      emit('step.started', { step_id: started });
    });
    const orphan = recorder.stage((rows) => rows.completeStep(stepDone(randomUUID(), 2)));
    await expect(ok).rejects.toThrow(/start was never stored/);
    await expect(orphan).rejects.toThrow(/start was never stored/);
    expect(recorder.seq).toBe(0);
    const steps = rowsOf<{ n: number }>(
      await database.db.execute(
        sql`select count(*)::int as n from execution_steps where execution_id = ${ids.executionId}`,
      ),
    );
    expect(steps[0]?.n).toBe(0);
  });

  it('a write with its own statements comes after the rows staged before it, in the same transaction', async () => {
    const ids = await runningExecution();
    const recorder = createRecorder({ db: app, ...ids, lastSeq: 0 });
    const id = randomUUID();
    const staged = recorder.stage((rows) => rows.startStep(stepStart(id, 1)));
    const direct = recorder.write(async (tx) => {
      const [row] = rowsOf<{ status: string }>(
        await tx.execute(sql`update execution_steps set status = 'failed' where id = ${id} returning status`),
      );
      return row?.status;
    });
    await staged;
    expect(await direct).toBe('failed');
  });
});
