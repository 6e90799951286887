import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { createdAt, id, timestamptz, updatedAt } from './columns';
import { executionSteps, executions } from './executions';
import { organizations, users } from './orgs';

export const approvalStatuses = ['pending', 'approved', 'rejected', 'timed_out', 'cancelled'] as const;
export type ApprovalStatus = (typeof approvalStatuses)[number];

export const approvalTimeoutActions = ['approve', 'reject', 'fail'] as const;
export type ApprovalTimeoutAction = (typeof approvalTimeoutActions)[number];

/**
 * One row per pause of a human node (a loop that pauses three times makes three rows). The row is
 * written in the same transaction that moves the execution to `waiting_approval`; deciding it
 * (a person, or the timeout sweep) is a compare-and-swap on `status = 'pending'`, so two approvers
 * clicking at once cannot both win. The decision is what the resumed run reads back.
 */
export const executionApprovals = pgTable(
  'execution_approvals',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    executionId: uuid('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    stepId: uuid('step_id').references(() => executionSteps.id, { onDelete: 'set null' }),
    nodeKey: varchar('node_key', { length: 100 }).notNull(),
    /** The LangGraph interrupt id, so a resume answers exactly this pause. */
    interruptId: varchar('interrupt_id', { length: 255 }),
    message: text('message').notNull(),
    /** `{ roles?: Role[], user_ids?: string[] }` from the node config. */
    approvers: jsonb('approvers').$type<{ roles?: string[]; user_ids?: string[] }>().notNull().default({}),
    /** Which pause of this node it is (1 for the first; a loop counts up). */
    iteration: integer('iteration').notNull().default(1),
    status: varchar('status', { length: 20 }).$type<ApprovalStatus>().notNull().default('pending'),
    timeoutAction: varchar('timeout_action', { length: 20 }).$type<ApprovalTimeoutAction>().notNull(),
    expiresAt: timestamptz('expires_at').notNull(),
    decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
    decidedAt: timestamptz('decided_at'),
    comment: text('comment'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('execution_approvals_org_status_idx').on(
      t.orgId,
      t.status,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index('execution_approvals_execution_idx').on(t.executionId),
    // The timeout sweep only looks at open approvals.
    index('execution_approvals_expires_idx').on(t.expiresAt).where(sql`${t.status} = 'pending'`),
    // An execution waits on at most one approval at a time.
    uniqueIndex('execution_approvals_one_pending').on(t.executionId).where(sql`${t.status} = 'pending'`),
  ],
);
