import { z } from 'zod';
import { paginationQuerySchema } from './pagination';
import { roleSchema } from './roles';

/** Human approval of a paused execution (issue 5 item 6). Wire format is snake_case. */

export const approvalStatusValues = ['pending', 'approved', 'rejected', 'timed_out', 'cancelled'] as const;
export const approvalStatusSchema = z.enum(approvalStatusValues);

export const approvalSchema = z
  .object({
    id: z.uuid(),
    execution_id: z.uuid(),
    agent_id: z.uuid(),
    agent_name: z.string(),
    step_id: z.uuid().nullable(),
    node_id: z.string(),
    message: z.string(),
    approvers: z.object({ roles: z.array(roleSchema).optional(), user_ids: z.array(z.string()).optional() }),
    iteration: z.number().int(),
    status: approvalStatusSchema,
    on_timeout: z.enum(['approve', 'reject', 'fail']),
    expires_at: z.iso.datetime(),
    decided_by: z.uuid().nullable(),
    decided_at: z.iso.datetime().nullable(),
    comment: z.string().nullable(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'Approval' });
export type Approval = z.infer<typeof approvalSchema>;

export const approvalListQuerySchema = paginationQuerySchema.extend({
  execution_id: z.uuid().optional(),
  agent_id: z.uuid().optional(),
});
export type ApprovalListQuery = z.infer<typeof approvalListQuerySchema>;

export const approveExecutionBodySchema = z.object({
  decision: z.enum(['approve', 'reject']),
  comment: z.string().trim().max(5000).optional(),
});
export type ApproveExecutionBody = z.infer<typeof approveExecutionBodySchema>;

export const approveExecutionResultSchema = z
  .object({ execution_id: z.uuid(), status: z.string(), approval: approvalSchema })
  .meta({ id: 'ApprovalDecided' });

export const cancelExecutionResultSchema = z
  .object({
    execution_id: z.uuid(),
    status: z.string(),
    /** True while a running execution is being stopped (it ends `cancelled` within about a second). */
    cancel_requested: z.boolean(),
  })
  .meta({ id: 'ExecutionCancelRequested' });
export type CancelExecutionResult = z.infer<typeof cancelExecutionResultSchema>;
