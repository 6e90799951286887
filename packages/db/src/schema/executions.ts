import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  unique,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { agentNodes, agents, agentVersions } from './agents';
import { createdAt, id, type JsonObject, timestamptz, updatedAt } from './columns';
import { organizations, users } from './orgs';

export const executionStatuses = [
  'pending',
  'running',
  'waiting_approval',
  'completed',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export type ExecutionStatus = (typeof executionStatuses)[number];

export const stepStatuses = ['pending', 'running', 'completed', 'failed', 'skipped'] as const;
export type StepStatus = (typeof stepStatuses)[number];

export const executions = pgTable(
  'executions',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    // NO ACTION (not RESTRICT): a version with runs cannot be deleted on its own, yet deleting the
    // agent or org still cascades through both in one statement.
    agentVersionId: uuid('agent_version_id').references(() => agentVersions.id),
    // manual | api | sdk | webhook | schedule
    triggeredBy: varchar('triggered_by', { length: 50 }),
    triggeredByUserId: uuid('triggered_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    triggerData: jsonb('trigger_data').$type<JsonObject>().notNull().default({}),
    status: varchar('status', { length: 50 }).$type<ExecutionStatus>().notNull().default('pending'),
    output: jsonb('output').$type<unknown>(),
    startedAt: timestamptz('started_at'),
    completedAt: timestamptz('completed_at'),
    errorCode: varchar('error_code', { length: 100 }),
    errorMessage: text('error_message'),
    totalTokens: integer('total_tokens').notNull().default(0),
    totalCost: numeric('total_cost', { precision: 10, scale: 6 }).notNull().default('0'),
    metadata: jsonb('metadata').$type<JsonObject>().notNull().default({}),
    // Queue-backed runs: a worker claims the row by compare-and-swap and renews the lease while it
    // runs; the reaper resumes or fails runs whose lease expired (crashed worker).
    leaseOwner: varchar('lease_owner', { length: 255 }),
    leaseExpiresAt: timestamptz('lease_expires_at'),
    attempts: integer('attempts').notNull().default(0),
    // Client-supplied key (Idempotency-Key header); the same key in the same org returns this run.
    idempotencyKey: varchar('idempotency_key', { length: 255 }),
    timeoutMs: integer('timeout_ms'),
    cancelRequestedAt: timestamptz('cancel_requested_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // PRD §3.2 indexes; agent/org carry (created_at desc, id) so cursor pages are index scans.
    index('idx_executions_agent').on(t.agentId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('idx_executions_org').on(t.orgId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('idx_executions_status').on(t.status),
    index('idx_executions_created').on(t.createdAt.desc().nullsFirst()),
    // Concurrency limits count an org's active runs.
    index('executions_org_status_idx').on(t.orgId, t.status),
    // The reaper's scan: only live runs have a lease worth checking.
    index('executions_lease_expires_idx')
      .on(t.leaseExpiresAt)
      .where(sql`${t.status} in ('running', 'pending')`),
    uniqueIndex('executions_org_idempotency_key')
      .on(t.orgId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
  ],
);

export const executionSteps = pgTable(
  'execution_steps',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    executionId: uuid('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    // Set when the version was normalised into agent_nodes; node_key is always set.
    nodeId: uuid('node_id').references(() => agentNodes.id, { onDelete: 'set null' }),
    nodeKey: varchar('node_key', { length: 100 }).notNull(),
    nodeType: varchar('node_type', { length: 50 }),
    stepOrder: integer('step_order').notNull(),
    // A node retried after a transient failure gets a new row with attempt + 1.
    attempt: integer('attempt').notNull().default(1),
    status: varchar('status', { length: 50 }).$type<StepStatus>().notNull().default('pending'),
    inputData: jsonb('input_data').$type<unknown>(),
    outputData: jsonb('output_data').$type<unknown>(),
    errorMessage: text('error_message'),
    tokensUsed: integer('tokens_used').notNull().default(0),
    cost: numeric('cost', { precision: 10, scale: 6 }).notNull().default('0'),
    durationMs: integer('duration_ms'),
    startedAt: timestamptz('started_at'),
    completedAt: timestamptz('completed_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('execution_steps_execution_idx').on(t.executionId, t.stepOrder),
    index('execution_steps_org_idx').on(t.orgId),
  ],
);

export const executionLogs = pgTable(
  'execution_logs',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    executionId: uuid('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    stepId: uuid('step_id').references(() => executionSteps.id, { onDelete: 'set null' }),
    level: varchar('level', { length: 20 }).notNull().default('info'),
    message: text('message').notNull(),
    data: jsonb('data').$type<unknown>(),
    createdAt: createdAt(),
  },
  (t) => [
    index('execution_logs_execution_idx').on(t.executionId, t.createdAt),
    index('execution_logs_org_idx').on(t.orgId),
  ],
);

/**
 * The ordered event stream of a run (what WebSocket clients replay with ?after=SEQ). seq is
 * assigned per execution by the single worker holding the lease; the unique constraint turns a
 * double write into an error instead of a duplicate event.
 */
export const executionEvents = pgTable(
  'execution_events',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    executionId: uuid('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    type: varchar('type', { length: 100 }).notNull(),
    payload: jsonb('payload').$type<unknown>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    unique('execution_events_execution_seq_key').on(t.executionId, t.seq),
    index('execution_events_org_idx').on(t.orgId),
  ],
);
