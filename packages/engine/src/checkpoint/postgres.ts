import type { Db } from '@agentflow/db';
import { withOrg } from '@agentflow/db';
import { graphCheckpointBlobs, graphCheckpoints, graphCheckpointWrites } from '@agentflow/db/schema';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  type Checkpoint,
  type CheckpointMetadata,
  type CheckpointTuple,
  copyCheckpoint,
} from '@langchain/langgraph';
import { and, asc, desc, eq, lt, or, type SQL, sql } from 'drizzle-orm';
import {
  type CheckpointPutRow,
  type CheckpointWritesRows,
  checkpointPutStatements,
  checkpointWritesStatement,
  oneStatement,
} from './rows';

// Not re-exported by @langchain/langgraph (and @langchain/langgraph-checkpoint is not a direct dependency).
type SerializerProtocol = BaseCheckpointSaver['serde'];
type ChannelVersions = Parameters<BaseCheckpointSaver['put']>[3];
type PendingWrite = Parameters<BaseCheckpointSaver['putWrites']>[1][number];
type CheckpointListOptions = NonNullable<Parameters<BaseCheckpointSaver['list']>[1]>;
type CheckpointPendingWrite = NonNullable<CheckpointTuple['pendingWrites']>[number];

/**
 * Same as @langchain/langgraph-checkpoint's WRITES_IDX_MAP: special writes get fixed negative indexes
 * (so they never collide with regular ones) and are overwritten on a repeat; regular ones are kept.
 */
const WRITES_IDX_MAP: Record<string, number> = {
  __error__: -1,
  __scheduled__: -2,
  __interrupt__: -3,
  __resume__: -4,
};

/** Serde type stored when a channel has a version but no value (LangGraph's PostgresSaver does the same). */
const EMPTY = 'empty';
/** Marker for a checkpoint/metadata whose serde type is not JSON (kept in the jsonb column as base64). */
const ENCODED = '__af_serde__';

export interface PostgresCheckpointerOptions {
  /** The tenant: every query runs inside `withOrg(db, orgId, ...)` and rows carry this org_id. */
  orgId: string;
  /**
   * Set `execution_id = thread_id` on every row so deleting the execution cascades to its
   * checkpoints. Only when thread ids are ids of existing executions of this org (FK). Default false.
   */
  linkExecution?: boolean;
  serde?: SerializerProtocol;
  /**
   * Runs each write transaction. Default: `withOrg(db, orgId, work)`. The executions layer passes its
   * recorder here, so checkpoint writes are ordered with the run's events and can commit together.
   */
  transaction?: <T>(work: (tx: Db) => Promise<T>) => Promise<T>;
  /**
   * Called inside the transaction that stores a task's writes. The executions layer marks the step
   * completed here: the step row and the checkpoint writes commit together, so after a crash a step
   * is either recorded completed AND skipped on resume, or neither (and runs again).
   */
  afterWrites?: (tx: Db, writes: Array<[channel: string, value: unknown]>, taskId: string) => Promise<void>;
  /**
   * Takes over storing: the checkpointer hands it rows instead of running SQL (`transaction` and
   * `afterWrites` are then unused). The executions layer merges them with its own rows into one
   * statement per table for a whole group-commit batch; `rows.ts` builds the statements.
   */
  store?: CheckpointStore;
  /**
   * A thread known to have no checkpoint yet (a run's first claim): `getTuple` answers "none" for it
   * without a query until this checkpointer stores its first checkpoint.
   */
  newThreadId?: string;
}

/** Where a checkpointer's writes go when `store` is set; each resolves once they are committed. */
export interface CheckpointStore {
  /** A task's writes; `writes` are the raw values (the executions layer records steps from them). */
  putWrites(rows: CheckpointWritesRows, writes: Array<[channel: string, value: unknown]>): Promise<void>;
  put(row: CheckpointPutRow): Promise<void>;
}

/** LangGraph checkpointer on the `graph_checkpoint*` tables, scoped to one org by RLS. */
export function createPostgresCheckpointer(
  db: Db,
  options: PostgresCheckpointerOptions,
): PostgresCheckpointer {
  return new PostgresCheckpointer(db, options);
}

type CheckpointRow = typeof graphCheckpoints.$inferSelect;

interface ThreadKey {
  threadId: string;
  checkpointNs: string;
}

export class PostgresCheckpointer extends BaseCheckpointSaver {
  readonly orgId: string;
  private readonly db: Db;
  private readonly linkExecution: boolean;
  private readonly transact: <T>(work: (tx: Db) => Promise<T>) => Promise<T>;
  private readonly afterWrites: PostgresCheckpointerOptions['afterWrites'];
  private readonly store: CheckpointStore;
  private newThreadId: string | undefined;

  constructor(db: Db, options: PostgresCheckpointerOptions) {
    super(options.serde);
    this.db = db;
    this.orgId = options.orgId;
    this.linkExecution = options.linkExecution ?? false;
    this.transact = options.transaction ?? ((work) => withOrg(this.db, this.orgId, work));
    this.afterWrites = options.afterWrites;
    this.newThreadId = options.newThreadId;
    this.store = options.store ?? {
      put: async (row) => {
        const statement = oneStatement(checkpointPutStatements(this.orgId, [row]));
        await this.transact(async (tx) => {
          if (statement) await tx.execute(statement);
        });
      },
      putWrites: async (rows, writes) => {
        const statement = checkpointWritesStatement(this.orgId, [rows]);
        await this.transact(async (tx) => {
          if (statement) await tx.execute(statement);
          await this.afterWrites?.(tx, writes, rows.taskId);
        });
      },
    };
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id as string | undefined;
    if (threadId === undefined || threadId === this.newThreadId) return undefined;
    const checkpointNs = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const checkpointId = configCheckpointId(config);
    const t = graphCheckpoints;
    return withOrg(this.db, this.orgId, async (tx) => {
      const where = [eq(t.orgId, this.orgId), eq(t.threadId, threadId), eq(t.checkpointNs, checkpointNs)];
      if (checkpointId) where.push(eq(t.checkpointId, checkpointId));
      const [row] = await tx
        .select()
        .from(t)
        .where(and(...where))
        .orderBy(desc(t.checkpointId))
        .limit(1);
      return row ? this.toTuple(tx, row) : undefined;
    });
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { before, limit, filter } = options;
    if (limit !== undefined && limit <= 0) return;
    const t = graphCheckpoints;
    const where: SQL[] = [eq(t.orgId, this.orgId)];
    const threadId = config.configurable?.thread_id as string | undefined;
    const checkpointNs = config.configurable?.checkpoint_ns as string | undefined;
    const checkpointId = configCheckpointId(config);
    const beforeId = before ? configCheckpointId(before) : undefined;
    if (threadId) where.push(eq(t.threadId, threadId));
    if (checkpointNs !== undefined) where.push(eq(t.checkpointNs, checkpointNs));
    if (checkpointId) where.push(eq(t.checkpointId, checkpointId));
    if (beforeId) where.push(lt(t.checkpointId, beforeId));
    if (filter && Object.keys(filter).length > 0) {
      // Metadata is stored as the serde's JSON, so top-level keys compare as in MemorySaver.
      where.push(sql`${t.metadata} @> ${JSON.stringify(filter)}::jsonb`);
    }
    const tuples = await withOrg(this.db, this.orgId, async (tx) => {
      const query = tx
        .select()
        .from(t)
        .where(and(...where))
        .orderBy(desc(t.checkpointId), asc(t.threadId), asc(t.checkpointNs));
      const rows = limit !== undefined ? await query.limit(limit) : await query;
      const out: CheckpointTuple[] = [];
      for (const row of rows) out.push(await this.toTuple(tx, row));
      return out;
    });
    yield* tuples;
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const threadId = config.configurable?.thread_id as string | undefined;
    if (threadId === undefined) {
      throw new Error(
        'Failed to put checkpoint. The passed RunnableConfig is missing a required "thread_id" field in its "configurable" property.',
      );
    }
    const checkpointNs = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const parentCheckpointId = (config.configurable?.checkpoint_id as string | undefined) ?? null;
    const { channel_values: values, ...rest } = copyCheckpoint(checkpoint);
    const executionId = this.linkExecution ? threadId : null;
    const blobs = await Promise.all(
      Object.entries(newVersions).map(async ([channel, version]) => {
        const [type, blob] =
          channel in values
            ? await this.serde.dumpsTyped((values as Record<string, unknown>)[channel])
            : [EMPTY, null];
        return { channel, version: String(version), type, blob: blob === null ? null : base64(blob) };
      }),
    );
    const [type, stored] = await this.dumpJsonText(rest);
    const [, storedMetadata] = await this.dumpJsonText(metadata);
    // From here on the thread has a checkpoint (or is about to): getTuple must look.
    if (threadId === this.newThreadId) this.newThreadId = undefined;
    // The new blobs (a (channel, version) value never changes, so blobs are shared by the checkpoints
    // that use them) and the checkpoint row; JSON text goes in as is, no re-parse.
    await this.store.put({
      executionId,
      threadId,
      checkpointNs,
      checkpointId: checkpoint.id,
      parentCheckpointId,
      type,
      checkpoint: stored,
      metadata: storedMetadata,
      blobs,
    });
    return {
      configurable: { thread_id: threadId, checkpoint_ns: checkpointNs, checkpoint_id: checkpoint.id },
    };
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const threadId = config.configurable?.thread_id as string | undefined;
    const checkpointNs = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const checkpointId = config.configurable?.checkpoint_id as string | undefined;
    if (threadId === undefined) {
      throw new Error(
        'Failed to put writes. The passed RunnableConfig is missing a required "thread_id" field.',
      );
    }
    if (checkpointId === undefined) {
      throw new Error(
        'Failed to put writes. The passed RunnableConfig is missing a required "checkpoint_id" field.',
      );
    }
    if (writes.length === 0) return;
    const taskPath = (config.configurable?.task_path as string | undefined) ?? '';
    const executionId = this.linkExecution ? threadId : null;
    const rows = await Promise.all(
      writes.map(async ([channel, value], idx) => {
        const [type, blob] = await this.serde.dumpsTyped(value);
        return { idx: WRITES_IDX_MAP[channel] ?? idx, channel, type, blob: base64(blob) };
      }),
    );
    await this.store.putWrites(
      { executionId, threadId, checkpointNs, checkpointId, taskId, taskPath, writes: rows },
      writes as Array<[string, unknown]>,
    );
  }

  async deleteThread(threadId: string): Promise<void> {
    await withOrg(this.db, this.orgId, async (tx) => {
      await tx
        .delete(graphCheckpointWrites)
        .where(
          and(eq(graphCheckpointWrites.orgId, this.orgId), eq(graphCheckpointWrites.threadId, threadId)),
        );
      await tx
        .delete(graphCheckpointBlobs)
        .where(and(eq(graphCheckpointBlobs.orgId, this.orgId), eq(graphCheckpointBlobs.threadId, threadId)));
      await tx
        .delete(graphCheckpoints)
        .where(and(eq(graphCheckpoints.orgId, this.orgId), eq(graphCheckpoints.threadId, threadId)));
    });
  }

  private async toTuple(tx: Db, row: CheckpointRow): Promise<CheckpointTuple> {
    const key = { threadId: row.threadId, checkpointNs: row.checkpointNs };
    const stored = (await this.loadJson(row.type ?? 'json', row.checkpoint)) as Omit<
      Checkpoint,
      'channel_values'
    >;
    const checkpoint: Checkpoint = {
      ...stored,
      channel_values: await this.loadChannelValues(tx, key, stored.channel_versions ?? {}),
    };
    const tuple: CheckpointTuple = {
      config: {
        configurable: {
          thread_id: row.threadId,
          checkpoint_ns: row.checkpointNs,
          checkpoint_id: row.checkpointId,
        },
      },
      checkpoint,
      metadata: (await this.loadJson('json', row.metadata)) as CheckpointMetadata,
      pendingWrites: await this.loadWrites(tx, key, row.checkpointId),
    };
    if (row.parentCheckpointId !== null) {
      tuple.parentConfig = {
        configurable: {
          thread_id: row.threadId,
          checkpoint_ns: row.checkpointNs,
          checkpoint_id: row.parentCheckpointId,
        },
      };
    }
    return tuple;
  }

  private async loadChannelValues(
    tx: Db,
    key: ThreadKey,
    versions: Record<string, string | number>,
  ): Promise<Record<string, unknown>> {
    const b = graphCheckpointBlobs;
    const pairs = Object.entries(versions).map(([channel, version]) =>
      and(eq(b.channel, channel), eq(b.version, String(version))),
    );
    if (pairs.length === 0) return {};
    const rows = await tx
      .select({ channel: b.channel, type: b.type, blob: b.blob })
      .from(b)
      .where(
        and(
          eq(b.orgId, this.orgId),
          eq(b.threadId, key.threadId),
          eq(b.checkpointNs, key.checkpointNs),
          or(...pairs),
        ),
      );
    const values: Record<string, unknown> = {};
    for (const row of rows) {
      if (row.type === EMPTY || row.blob === null) continue;
      values[row.channel] = await this.serde.loadsTyped(row.type, row.blob);
    }
    return values;
  }

  private async loadWrites(tx: Db, key: ThreadKey, checkpointId: string): Promise<CheckpointPendingWrite[]> {
    const w = graphCheckpointWrites;
    const rows = await tx
      .select({ taskId: w.taskId, channel: w.channel, type: w.type, blob: w.blob })
      .from(w)
      .where(
        and(
          eq(w.orgId, this.orgId),
          eq(w.threadId, key.threadId),
          eq(w.checkpointNs, key.checkpointNs),
          eq(w.checkpointId, checkpointId),
        ),
      )
      .orderBy(asc(w.taskPath), asc(w.taskId), asc(w.idx));
    return Promise.all(
      rows.map(
        async (row): Promise<CheckpointPendingWrite> => [
          row.taskId,
          row.channel,
          await this.serde.loadsTyped(row.type ?? 'json', row.blob),
        ],
      ),
    );
  }

  /** Serialises through the serde as JSON text for a jsonb parameter (non-JSON serde types wrapped). */
  private async dumpJsonText(value: unknown): Promise<[string, string]> {
    const [type, bytes] = await this.serde.dumpsTyped(value);
    if (type === 'json') return [type, new TextDecoder().decode(bytes)];
    return [type, JSON.stringify({ [ENCODED]: Buffer.from(bytes).toString('base64') })];
  }

  private async loadJson(type: string, stored: Record<string, unknown>): Promise<unknown> {
    const encoded = stored[ENCODED];
    if (typeof encoded === 'string' && Object.keys(stored).length === 1) {
      return this.serde.loadsTyped(type, new Uint8Array(Buffer.from(encoded, 'base64')));
    }
    return this.serde.loadsTyped('json', JSON.stringify(stored));
  }
}

const base64 = (bytes: Uint8Array | string): string =>
  typeof bytes === 'string'
    ? Buffer.from(bytes, 'utf8').toString('base64')
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

function configCheckpointId(config: RunnableConfig): string | undefined {
  // LangGraph's getCheckpointId: checkpoint_id, or the legacy thread_ts.
  const id = config.configurable?.checkpoint_id ?? config.configurable?.thread_ts;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
