import type { ExecutionEventType } from '@agentflow/contracts';
import { type Db, rowsOf, withOrg } from '@agentflow/db';
import type { executionEvents } from '@agentflow/db/schema';
import { sql } from 'drizzle-orm';
import { publishStoredEvents } from './append';

/** Where stored events are also published live (structurally an `EventBus` of `@agentflow/queue`). */
export interface EventPublisher {
  publish(channel: string, message: string): Promise<void>;
}

/** Same as `executionChannel` in `@agentflow/queue`. */
export const executionEventChannel = (executionId: string) => `execution:${executionId}`;

export type Emit = (type: ExecutionEventType, payload: Record<string, unknown>) => void;
export type LogLine = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  data?: Record<string, unknown>,
  stepId?: string | null,
) => void;
export type RecorderWork<T> = (tx: Db, emit: Emit, log: LogLine) => Promise<T>;

interface RecorderOptions {
  db: Db;
  orgId: string;
  executionId: string;
  /** Highest seq already stored for this execution (0 for a first run). */
  lastSeq: number;
  events?: EventPublisher | undefined;
  onPublishError?: (error: unknown) => void;
}

interface Queued {
  work: RecorderWork<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The single writer of one execution's rows while this process holds its lease.
 *
 * Group commit: writes run in call order, and every write queued while a transaction is in flight (or
 * in the same turn of the event loop as the first one) goes into the NEXT transaction together. A fast
 * step's start, its graph writes, its completion and the superstep checkpoint so commit once instead
 * of three times, while a slow step's start still commits (and is published) right away. A batch is
 * atomic: if its transaction fails, every write in it rejects with that error (a write never commits
 * on top of an earlier one of its batch that did not); writes queued after it run in the next one.
 *
 * The seq counter advances only when a transaction commits, so stored events are gap-free, unique
 * (also enforced by the (execution_id, seq) constraint) and in the order they happened. Events are
 * published after the commit, in seq order, without holding up the next transaction: a live
 * subscriber never sees an event that is not stored.
 */
export function createRecorder(options: RecorderOptions) {
  let seq = options.lastSeq;
  let queue: Queued[] = [];
  let flushing: Promise<void> | undefined;
  /** The transaction in flight, if any. */
  let committing: Promise<void> | undefined;
  let published: Promise<void> = Promise.resolve();

  async function commit(batch: Queued[]): Promise<void> {
    const pending: Array<{ type: ExecutionEventType; payload: Record<string, unknown> }> = [];
    const logs: Array<{ level: string; message: string; data: unknown; stepId: string | null }> = [];
    const emit: Emit = (type, payload) => pending.push({ type, payload });
    const log: LogLine = (level, message, data, stepId) => {
      logs.push({ level, message, data: data ?? null, stepId: stepId ?? null });
      pending.push({ type: 'log', payload: { level, message, ...(stepId ? { step_id: stepId } : {}) } });
    };
    const base = seq;
    let outcome: { results: unknown[]; stored: StoredEvent[] };
    try {
      outcome = await withOrg(options.db, options.orgId, async (tx) => {
        const results: unknown[] = [];
        for (const item of batch) results.push(await item.work(tx, emit, log));
        if (logs.length) await insertLogs(tx, options, logs);
        const stored = pending.length ? await insertEvents(tx, options, base, pending) : [];
        return { results, stored };
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    seq = base + outcome.stored.length;
    // Publishing starts now, in seq order on one connection; the next batch does not wait for it.
    const publishing = publishStoredEvents(options.events, outcome.stored, options.onPublishError);
    published = Promise.all([published, publishing]).then(() => {});
    for (const [i, item] of batch.entries()) item.resolve(outcome.results[i]);
  }

  async function drain(): Promise<void> {
    // One turn of the event loop: writes issued together (a step's start and, for a fast node, its
    // completion and checkpoint) share the first transaction.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      committing = commit(batch);
      await committing;
      committing = undefined;
    }
    flushing = undefined;
  }

  return {
    /** Queues `work` behind every earlier write; resolves (or rejects) with its own outcome. */
    write<T>(work: RecorderWork<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        flushing ??= drain();
      });
    },
    /**
     * Backpressure for a producer that does not wait for its writes: resolves at once unless writes
     * are queued behind a transaction in flight, then when that transaction ends (so the queued ones
     * start committing). A run never gets more than one transaction ahead of its record, which keeps
     * an event's way to the stream short.
     */
    async throttle(): Promise<void> {
      if (queue.length > 0 && committing) await committing;
    },
    /** Resolves when every queued write has settled and its events were handed to the publisher. */
    async idle(): Promise<void> {
      while (flushing) await flushing;
      await published;
    },
    get seq() {
      return seq;
    },
  };
}

export type Recorder = ReturnType<typeof createRecorder>;

type StoredEvent = typeof executionEvents.$inferSelect;
type Ids = { orgId: string; executionId: string };

// The hot path writes each table with ONE statement and ONE parameter (a JSON array expanded by
// jsonb_to_recordset): building a multi-row insert with the query builder cost more CPU than the
// database spent on it (bench:executions profile).

async function insertLogs(
  tx: Db,
  ids: Ids,
  logs: Array<{ level: string; message: string; data: unknown; stepId: string | null }>,
): Promise<void> {
  const rows = logs.map((l) => ({
    step_id: l.stepId,
    level: l.level,
    message: l.message,
    data: l.data ?? null,
  }));
  await tx.execute(sql`
    insert into execution_logs (org_id, execution_id, step_id, level, message, data)
    select ${ids.orgId}::uuid, ${ids.executionId}::uuid, x.step_id, x.level, x.message, x.data
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as x(step_id uuid, level varchar, message text, data jsonb)`);
}

async function insertEvents(
  tx: Db,
  ids: Ids,
  base: number,
  events: Array<{ type: ExecutionEventType; payload: Record<string, unknown> }>,
): Promise<StoredEvent[]> {
  const rows = events.map((e, i) => ({ seq: base + i + 1, type: e.type, payload: e.payload }));
  const inserted = rowsOf<{ id: string; seq: number; created_ms: number }>(
    await tx.execute(sql`
      insert into execution_events (org_id, execution_id, seq, type, payload)
      select ${ids.orgId}::uuid, ${ids.executionId}::uuid, x.seq, x.type, x.payload
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(seq int, type varchar, payload jsonb)
      order by x.seq
      returning id, seq, (extract(epoch from created_at) * 1000)::float8 as created_ms`),
  );
  const bySeq = new Map(inserted.map((r) => [Number(r.seq), r]));
  return events.map((e, i) => {
    const row = bySeq.get(base + i + 1)!;
    return {
      id: row.id,
      orgId: ids.orgId,
      executionId: ids.executionId,
      seq: base + i + 1,
      type: e.type,
      payload: e.payload,
      createdAt: new Date(Number(row.created_ms)),
    };
  });
}
