import { index, integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { bytea, createdAt, type JsonObject } from './columns';
import { executions } from './executions';
import { organizations } from './orgs';

/**
 * LangGraph checkpoints, modelled on @langchain/langgraph-checkpoint-postgres (checkpoints,
 * checkpoint_blobs, checkpoint_writes) plus org_id for tenancy and execution_id for cleanup.
 * Prefixed graph_ so that library's own setup() can never collide with or alter these tables.
 * thread_id is the execution id as text.
 */
export const graphCheckpoints = pgTable(
  'graph_checkpoints',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    executionId: uuid('execution_id').references(() => executions.id, { onDelete: 'cascade' }),
    threadId: text('thread_id').notNull(),
    checkpointNs: text('checkpoint_ns').notNull().default(''),
    checkpointId: text('checkpoint_id').notNull(),
    parentCheckpointId: text('parent_checkpoint_id'),
    type: text('type'),
    checkpoint: jsonb('checkpoint').$type<JsonObject>().notNull(),
    metadata: jsonb('metadata').$type<JsonObject>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'graph_checkpoints_pkey', columns: [t.threadId, t.checkpointNs, t.checkpointId] }),
    index('graph_checkpoints_org_idx').on(t.orgId),
    index('graph_checkpoints_execution_idx').on(t.executionId),
  ],
);

/** Channel values, stored once per (channel, version) and shared by the checkpoints that use them. */
export const graphCheckpointBlobs = pgTable(
  'graph_checkpoint_blobs',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    executionId: uuid('execution_id').references(() => executions.id, { onDelete: 'cascade' }),
    threadId: text('thread_id').notNull(),
    checkpointNs: text('checkpoint_ns').notNull().default(''),
    channel: text('channel').notNull(),
    version: text('version').notNull(),
    type: text('type').notNull(),
    blob: bytea('blob'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({
      name: 'graph_checkpoint_blobs_pkey',
      columns: [t.threadId, t.checkpointNs, t.channel, t.version],
    }),
    index('graph_checkpoint_blobs_org_idx').on(t.orgId),
    index('graph_checkpoint_blobs_execution_idx').on(t.executionId),
  ],
);

/** Pending writes of tasks that finished while others in the same super-step had not. */
export const graphCheckpointWrites = pgTable(
  'graph_checkpoint_writes',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    executionId: uuid('execution_id').references(() => executions.id, { onDelete: 'cascade' }),
    threadId: text('thread_id').notNull(),
    checkpointNs: text('checkpoint_ns').notNull().default(''),
    checkpointId: text('checkpoint_id').notNull(),
    taskId: text('task_id').notNull(),
    idx: integer('idx').notNull(),
    channel: text('channel').notNull(),
    type: text('type'),
    blob: bytea('blob').notNull(),
    taskPath: text('task_path').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({
      name: 'graph_checkpoint_writes_pkey',
      columns: [t.threadId, t.checkpointNs, t.checkpointId, t.taskId, t.idx],
    }),
    index('graph_checkpoint_writes_org_idx').on(t.orgId),
    index('graph_checkpoint_writes_execution_idx').on(t.executionId),
  ],
);
