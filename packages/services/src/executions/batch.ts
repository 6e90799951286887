import type { ExecutionEventType } from '@agentflow/contracts';
import { type Db, rowsOf } from '@agentflow/db';
import {
  type CheckpointPutRow,
  type CheckpointWritesRows,
  checkpointPutStatements,
  checkpointWritesStatement,
  oneStatement,
} from '@agentflow/engine';
import { type SQL, sql } from 'drizzle-orm';

/** A step's start as stored (`execution_steps` insert). */
export interface StepStartRow {
  id: string;
  nodeKey: string;
  nodeType: string;
  stepOrder: number;
  attempt: number;
  input: unknown;
  startedAt: string;
}

/** A step's completion (`status = completed` and its results). */
export interface StepCompletionRow {
  id: string;
  output: unknown;
  tokens: number;
  /** numeric(…, 6) as text. */
  cost: string;
  durationMs: number;
  completedAt: string;
}

export interface PendingEvent {
  type: ExecutionEventType;
  payload: Record<string, unknown>;
}

export interface PendingLog {
  level: string;
  message: string;
  data: unknown;
  stepId: string | null;
}

/** What the batch statement stored: the events (in seq order) with their ids and created_at. */
export interface StoredEventRow {
  id: string;
  seq: number;
  createdMs: number;
}

/**
 * The rows one group-commit batch writes, merged across its writes so the batch costs ONE statement
 * (one `with` part per table) however many steps, checkpoints and events it holds: a batch's
 * transaction no longer grows with the number of writes queued into it (ADR 0008).
 *
 * Every part sees the database as it was before the statement, so a row is never touched twice in
 * it: a step started and completed in the same batch is inserted once, already completed.
 */
export class BatchRows {
  private starts = new Map<string, StepStartRow & Partial<StepCompletionRow>>();
  private completions = new Map<string, StepCompletionRow>();
  private writes: CheckpointWritesRows[] = [];
  private puts: CheckpointPutRow[] = [];

  constructor(private readonly ids: { orgId: string; executionId: string }) {}

  startStep(row: StepStartRow): void {
    this.starts.set(row.id, row);
  }

  completeStep(row: StepCompletionRow): void {
    const started = this.starts.get(row.id);
    if (started) Object.assign(started, row);
    else this.completions.set(row.id, row);
  }

  checkpointWrites(rows: CheckpointWritesRows): void {
    this.writes.push(rows);
  }

  checkpoint(row: CheckpointPutRow): void {
    this.puts.push(row);
  }

  get empty(): boolean {
    return (
      this.starts.size === 0 &&
      this.completions.size === 0 &&
      this.writes.length === 0 &&
      this.puts.length === 0
    );
  }

  /**
   * Writes what is staged (before a write that runs its own statements, so call order holds), with
   * `tail`'s events and logs when given, in ONE statement, and empties the batch.
   */
  async flush(tx: Db, tail: BatchTail = empty): Promise<StoredEventRow[]> {
    const built = this.build(tail);
    return built ? runBatchStatement(tx, built) : [];
  }

  /**
   * The statement for what is staged, with `tail`'s events and logs, and empties the batch. Pure
   * CPU: the recorder builds it before opening the transaction when it can, so the transaction holds
   * only its round trips.
   */
  build(tail: BatchTail = empty): BuiltBatch | undefined {
    const { orgId, executionId } = this.ids;
    const parts: SQL[] = [];
    if (this.starts.size > 0) {
      const rows = [...this.starts.values()].map((s) => ({
        id: s.id,
        node_key: s.nodeKey,
        node_type: s.nodeType,
        step_order: s.stepOrder,
        attempt: s.attempt,
        status: s.completedAt ? 'completed' : 'running',
        input_data: s.input ?? null,
        output_data: s.output ?? null,
        tokens_used: s.tokens ?? 0,
        cost: s.cost ?? '0',
        duration_ms: s.durationMs ?? null,
        started_at: s.startedAt,
        completed_at: s.completedAt ?? null,
      }));
      parts.push(sql`
        insert into execution_steps
          (id, org_id, execution_id, node_key, node_type, step_order, attempt, status, input_data,
           output_data, tokens_used, cost, duration_ms, started_at, completed_at)
        select x.id, ${orgId}::uuid, ${executionId}::uuid, x.node_key, x.node_type, x.step_order, x.attempt,
               x.status, x.input_data, x.output_data, x.tokens_used, x.cost, x.duration_ms, x.started_at,
               x.completed_at
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as x(id uuid, node_key varchar, node_type varchar, step_order int, attempt int, status varchar,
               input_data jsonb, output_data jsonb, tokens_used int, cost numeric, duration_ms int,
               started_at timestamptz, completed_at timestamptz)`);
    }
    const completing = this.completions.size;
    const completionsPart = parts.length;
    if (completing > 0) {
      const rows = [...this.completions.values()].map((c) => ({
        id: c.id,
        output_data: c.output ?? null,
        tokens_used: c.tokens,
        cost: c.cost,
        duration_ms: c.durationMs,
        completed_at: c.completedAt,
      }));
      parts.push(sql`
        update execution_steps s
        set status = 'completed', output_data = x.output_data, tokens_used = x.tokens_used, cost = x.cost,
            duration_ms = x.duration_ms, completed_at = x.completed_at
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as x(id uuid, output_data jsonb, tokens_used int, cost numeric, duration_ms int,
               completed_at timestamptz)
        where s.id = x.id and s.org_id = ${orgId}::uuid
        returning s.id`);
    }
    const writes = checkpointWritesStatement(orgId, this.writes);
    if (writes) parts.push(writes);
    parts.push(...checkpointPutStatements(orgId, this.puts));
    if (tail.logs.length > 0) {
      const rows = tail.logs.map((l) => ({
        step_id: l.stepId,
        level: l.level,
        message: l.message,
        data: l.data ?? null,
      }));
      parts.push(sql`
        insert into execution_logs (org_id, execution_id, step_id, level, message, data)
        select ${orgId}::uuid, ${executionId}::uuid, x.step_id, x.level, x.message, x.data
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as x(step_id uuid, level varchar, message text, data jsonb)`);
    }
    const eventsPart = parts.length;
    if (tail.events.length > 0) {
      const rows = tail.events.map((e, i) => ({ seq: tail.base + i + 1, type: e.type, payload: e.payload }));
      parts.push(sql`
        insert into execution_events (org_id, execution_id, seq, type, payload)
        select ${orgId}::uuid, ${executionId}::uuid, x.seq, x.type, x.payload
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(seq int, type varchar, payload jsonb)
        order by x.seq
        returning id, seq, (extract(epoch from created_at) * 1000)::float8 as created_ms`);
    }
    this.starts.clear();
    this.completions.clear();
    this.writes = [];
    this.puts = [];
    if (parts.length === 0) return undefined;
    // `oneStatement` names part i `p{i}`. One row back: how many steps the update completed (each
    // must have had its start stored) and the stored events.
    const part = (i: number) => sql.raw(`p${i}`);
    const completed = completing > 0 ? sql`(select count(*) from ${part(completionsPart)})::int` : sql`0`;
    const events =
      tail.events.length > 0
        ? sql`(select json_agg(json_build_array(e.id, e.seq, e.created_ms) order by e.seq) from ${part(eventsPart)} e)`
        : sql`null::json`;
    // The statement fails by itself when a completion found no stored start or an event is missing
    // from what it inserted: its transaction may be committing already when the rows reach us (the
    // recorder pipelines COMMIT behind it), so a check in the process could not undo anything.
    // A text cast to int is the plain-SQL way to raise; the cast's input is the message.
    const inserted = tail.events.length > 0 ? sql`(select count(*) from ${part(eventsPart)})::int` : sql`0`;
    // Only with something to check: then the message holds a subquery, so the planner never folds
    // (and so raises) it ahead of the condition.
    const guard =
      completing === 0 && tail.events.length === 0
        ? sql`0`
        : sql`case when ${completed} = ${completing} and ${inserted} = ${tail.events.length} then 0
      else ('batch: completed ' || ${completed} || ' of ' || ${completing}::int || ' steps (a step''s start was never stored), stored '
        || ${inserted} || ' of ' || ${tail.events.length}::int || ' events')::int end`;
    const statement = oneStatement(
      parts,
      sql`select ${completed} as completed, ${events} as events, ${guard} as guard`,
    ) as SQL;
    return { statement, completing };
  }
}

export interface BatchTail {
  base: number;
  events: PendingEvent[];
  logs: PendingLog[];
}

export interface BuiltBatch {
  statement: SQL;
  /** Completions of steps started in earlier batches: the update must find every one. */
  completing: number;
}

/**
 * Runs a built batch statement; fails (rolling the transaction back) when a completion found no
 * started step to complete.
 */
export async function runBatchStatement(tx: Db, built: BuiltBatch): Promise<StoredEventRow[]> {
  return readBatchResult(rowsOf<BatchResultRow>(await tx.execute(built.statement)), built);
}

export type BatchResultRow = {
  completed: number;
  events: Array<[string, number, number]> | string | null;
};

/** The stored events from a batch statement's row (the statement itself fails on a mismatch). */
export function readBatchResult(
  [result]: BatchResultRow[],
  { completing }: Pick<BuiltBatch, 'completing'>,
): StoredEventRow[] {
  const stored: Array<[string, number, number]> =
    typeof result?.events === 'string' ? JSON.parse(result.events) : (result?.events ?? []);
  if (Number(result?.completed ?? 0) !== completing) {
    throw new Error(
      `Completed ${result?.completed ?? 0} of ${completing} steps: a step's start was never stored`,
    );
  }
  return stored.map(([id, seq, createdMs]) => ({
    id,
    seq: Number(seq),
    createdMs: Number(createdMs),
  }));
}

const empty = { base: 0, events: [], logs: [] };
