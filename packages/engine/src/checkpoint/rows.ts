import { type SQL, sql } from 'drizzle-orm';

/**
 * A checkpointer write as rows, before any SQL: the executions layer merges the rows of many puts
 * (and its own step rows) into one statement per table for a whole group-commit batch (ADR 0008).
 */

/** One task's pending writes (`putWrites`). Blobs are base64 text (they travel inside a JSON parameter). */
export interface CheckpointWritesRows {
  executionId: string | null;
  threadId: string;
  checkpointNs: string;
  checkpointId: string;
  taskId: string;
  taskPath: string;
  writes: Array<{ idx: number; channel: string; type: string; blob: string }>;
}

/** One checkpoint (`put`): its row and the channel values first stored with it. */
export interface CheckpointPutRow {
  executionId: string | null;
  threadId: string;
  checkpointNs: string;
  checkpointId: string;
  parentCheckpointId: string | null;
  type: string;
  /** JSON text of the checkpoint without its channel values. */
  checkpoint: string;
  /** JSON text of the metadata. */
  metadata: string;
  blobs: Array<{ channel: string; version: string; type: string; blob: string | null }>;
}

/** Insert of every task write in `list`, as ONE statement (undefined when there is none). */
export function checkpointWritesStatement(orgId: string, list: CheckpointWritesRows[]): SQL | undefined {
  // One statement cannot touch a row twice (ON CONFLICT DO UPDATE fails): keep what separate
  // statements would have left, the first regular write and the last special one per key.
  const byKey = new Map<string, Record<string, unknown>>();
  for (const w of list) {
    for (const x of w.writes) {
      const key = JSON.stringify([w.threadId, w.checkpointNs, w.checkpointId, w.taskId, x.idx]);
      if (byKey.has(key) && x.idx >= 0) continue;
      byKey.set(key, {
        execution_id: w.executionId,
        thread_id: w.threadId,
        checkpoint_ns: w.checkpointNs,
        checkpoint_id: w.checkpointId,
        task_id: w.taskId,
        task_path: w.taskPath,
        idx: x.idx,
        channel: x.channel,
        type: x.type,
        blob: x.blob,
      });
    }
  }
  if (byKey.size === 0) return undefined;
  // Idempotent per (task_id, idx): a regular write is kept as first stored (a task replayed after a
  // crash writes the same thing); special writes (error, interrupt, resume) are replaced.
  return sql`
    insert into graph_checkpoint_writes as w
      (org_id, execution_id, thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob,
       task_path)
    select ${orgId}::uuid, x.execution_id, x.thread_id, x.checkpoint_ns, x.checkpoint_id, x.task_id, x.idx,
           x.channel, x.type, decode(x.blob, 'base64'), x.task_path
    from jsonb_to_recordset(${JSON.stringify([...byKey.values()])}::jsonb)
      as x(execution_id uuid, thread_id text, checkpoint_ns text, checkpoint_id text, task_id text,
           task_path text, idx int, channel text, type text, blob text)
    on conflict (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) do update
      set channel = excluded.channel, type = excluded.type, blob = excluded.blob,
          task_path = excluded.task_path
      where w.idx < 0`;
}

/**
 * The statements storing the checkpoints in `list`: their new blobs, then their rows (one statement
 * per table; both may go into one `with` statement, they do not read each other).
 */
export function checkpointPutStatements(orgId: string, list: CheckpointPutRow[]): SQL[] {
  if (list.length === 0) return [];
  const blobs = new Map<string, Record<string, unknown>>();
  const rows = new Map<string, string>();
  for (const p of list) {
    for (const b of p.blobs) {
      // A (channel, version) value never changes: the first one stands.
      const key = JSON.stringify([p.threadId, p.checkpointNs, b.channel, b.version]);
      if (!blobs.has(key)) {
        blobs.set(key, {
          execution_id: p.executionId,
          thread_id: p.threadId,
          checkpoint_ns: p.checkpointNs,
          ...b,
        });
      }
    }
    // The same checkpoint put again replaces it (as an upsert per put would).
    const fields = JSON.stringify({
      execution_id: p.executionId,
      thread_id: p.threadId,
      checkpoint_ns: p.checkpointNs,
      checkpoint_id: p.checkpointId,
      parent_checkpoint_id: p.parentCheckpointId,
      type: p.type,
    });
    // The serde's JSON text goes into the array as is: no parse and stringify again.
    rows.set(
      JSON.stringify([p.threadId, p.checkpointNs, p.checkpointId]),
      `${fields.slice(0, -1)},"checkpoint":${p.checkpoint},"metadata":${p.metadata}}`,
    );
  }
  const statements: SQL[] = [];
  if (blobs.size > 0) {
    statements.push(sql`
      insert into graph_checkpoint_blobs
        (org_id, execution_id, thread_id, checkpoint_ns, channel, version, type, blob)
      select ${orgId}::uuid, x.execution_id, x.thread_id, x.checkpoint_ns, x.channel, x.version, x.type,
             decode(x.blob, 'base64')
      from jsonb_to_recordset(${JSON.stringify([...blobs.values()])}::jsonb)
        as x(execution_id uuid, thread_id text, checkpoint_ns text, channel text, version text, type text,
             blob text)
      on conflict do nothing`);
  }
  statements.push(sql`
    insert into graph_checkpoints (org_id, execution_id, thread_id, checkpoint_ns, checkpoint_id,
                                   parent_checkpoint_id, type, checkpoint, metadata)
    select ${orgId}::uuid, x.execution_id, x.thread_id, x.checkpoint_ns, x.checkpoint_id,
           x.parent_checkpoint_id, x.type, x.checkpoint, x.metadata
    from jsonb_to_recordset(${`[${[...rows.values()].join(',')}]`}::jsonb)
      as x(execution_id uuid, thread_id text, checkpoint_ns text, checkpoint_id text,
           parent_checkpoint_id text, type text, checkpoint jsonb, metadata jsonb)
    on conflict (thread_id, checkpoint_ns, checkpoint_id)
      do update set checkpoint = excluded.checkpoint, metadata = excluded.metadata, type = excluded.type`);
  return statements;
}

/**
 * Data-modifying statements as ONE statement: each becomes a `with` part (Postgres runs every part
 * exactly once, whether `main` reads it or not). The parts must not read each other's rows: they
 * all see the snapshot from before the statement.
 */
export function oneStatement(parts: SQL[], main?: SQL): SQL | undefined {
  if (parts.length === 0) return main;
  if (parts.length === 1 && !main) return parts[0];
  const named = parts.map((part, i) => sql`${sql.raw(`p${i}`)} as (${part})`);
  return sql`with ${sql.join(named, sql`, `)} ${main ?? sql`select 1`}`;
}
