import { randomUUID } from 'node:crypto';
import { APP_ROLE, type Db, rowsOf } from '@agentflow/db';
import { executionEvents, executions, organizations } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../agents/agents';
import type { ServiceContext } from '../context';
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
});
