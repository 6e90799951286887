import type { ExecutionEventType } from '@agentflow/contracts';
import { type Db, executeInOrg, withOrg } from '@agentflow/db';
import type { executionEvents } from '@agentflow/db/schema';
import { publishStoredEvents } from './append';
import { type BatchResultRow, BatchRows, type PendingEvent, type PendingLog, readBatchResult } from './batch';

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
/**
 * A write that runs its own statements. Rows staged before it in the batch are stored first (call
 * order holds); rows it stages itself are stored at the end of the batch.
 */
export type RecorderWork<T> = (tx: Db, emit: Emit, log: LogLine, rows: BatchRows) => Promise<T>;
/** A write that only stages rows and events: merged with the rest of its batch into one statement. */
export type StagedWork<T> = (rows: BatchRows, emit: Emit, log: LogLine) => T;

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
  work: RecorderWork<unknown> | undefined;
  staged: StagedWork<unknown> | undefined;
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
 * Rows are merged across the batch (`batch.ts`): staged writes cost no statement of their own, so a
 * batch of any size is BEGIN, one statement, COMMIT, sent together on postgres.js (`executeInOrg`:
 * one round trip). A batch with a write that needs its own statements goes through `withOrg`, and
 * the rows staged before such a write are stored first, keeping call order.
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

  /**
   * A batch of staged writes only (the usual one): its rows and statement are built before the
   * transaction opens, which then holds just BEGIN, the statement and COMMIT, pipelined.
   */
  async function commitStaged(
    batch: Queued[],
    base: number,
    pending: PendingEvent[],
    logs: PendingLog[],
    emit: Emit,
    log: LogLine,
  ): Promise<{ results: unknown[]; stored: StoredEvent[] }> {
    const staged = new BatchRows(options);
    const results = batch.map((item) => item.staged?.(staged, emit, log));
    const built = staged.build({ base, events: pending, logs });
    if (!built) return { results, stored: [] };
    // One round trip on postgres.js: BEGIN, set_config, the statement and COMMIT pipelined. The
    // statement itself fails (so nothing commits) if an event or a completed step's start is
    // missing: the seq counter never falls behind what is stored.
    const rows = await executeInOrg<BatchResultRow>(options.db, options.orgId, built.statement);
    return { results, stored: toStored(options, base, pending, readBatchResult(rows, built)) };
  }

  async function commit(batch: Queued[]): Promise<void> {
    const pending: PendingEvent[] = [];
    const logs: PendingLog[] = [];
    const emit: Emit = (type, payload) => pending.push({ type, payload });
    const log: LogLine = (level, message, data, stepId) => {
      logs.push({ level, message, data: data ?? null, stepId: stepId ?? null });
      pending.push({ type: 'log', payload: { level, message, ...(stepId ? { step_id: stepId } : {}) } });
    };
    const base = seq;
    let outcome: { results: unknown[]; stored: StoredEvent[] };
    try {
      outcome = batch.every((item) => item.staged)
        ? await commitStaged(batch, base, pending, logs, emit, log)
        : await withOrg(options.db, options.orgId, async (tx) => {
            const rows = new BatchRows(options);
            const results: unknown[] = [];
            for (const item of batch) {
              if (item.staged) {
                results.push(item.staged(rows, emit, log));
                continue;
              }
              if (!rows.empty) await rows.flush(tx);
              results.push(await item.work?.(tx, emit, log, rows));
            }
            const inserted = await rows.flush(tx, { base, events: pending, logs });
            return { results, stored: toStored(options, base, pending, inserted) };
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

  function enqueue<T>(work: RecorderWork<T> | undefined, staged: StagedWork<T> | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ work, staged, resolve: resolve as (value: unknown) => void, reject });
      flushing ??= drain();
    });
  }

  async function drain(): Promise<void> {
    // One turn of the event loop: writes issued together (a step's start and, for a fast node, its
    // completion and checkpoint) share the first transaction.
    await yieldToIo();
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
      return enqueue<T>(work, undefined);
    },
    /** Like `write`, for a write that only stages rows and events (no statement of its own). */
    stage<T>(work: StagedWork<T>): Promise<T> {
      return enqueue<T>(undefined, work);
    },
    /**
     * Backpressure for a producer that does not wait for its writes: resolves at once unless writes
     * are queued behind a transaction in flight, then when that transaction ends (so the queued ones
     * start committing). A run never gets more than one transaction ahead of its record.
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

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The batch's events as stored rows (what is published), from what its statement returned. */
function toStored(
  ids: { orgId: string; executionId: string },
  base: number,
  events: PendingEvent[],
  inserted: Array<{ id: string; seq: number; createdMs: number }>,
): StoredEvent[] {
  const bySeq = new Map(inserted.map((r) => [r.seq, r]));
  return events.map((e, i) => {
    const row = bySeq.get(base + i + 1);
    if (!row) throw new Error(`Event ${base + i + 1} of execution ${ids.executionId} was not stored`);
    return {
      id: row.id,
      orgId: ids.orgId,
      executionId: ids.executionId,
      seq: base + i + 1,
      type: e.type,
      payload: e.payload,
      createdAt: new Date(row.createdMs),
    };
  });
}
