import { z } from 'zod';
import { paginationQuerySchema } from './pagination';

/**
 * Bodies, queries and responses of the execution endpoints (seed 004 §4.2, issue 5). Wire format is
 * snake_case. Postgres owns an execution's state; these are views of its rows.
 */

const timestamp = z.iso.datetime();
const uuid = z.uuid();

export const executionStatusValues = [
  'pending',
  'running',
  'waiting_approval',
  'completed',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export const executionStatusSchema = z.enum(executionStatusValues);
export type ExecutionStatusValue = z.infer<typeof executionStatusSchema>;

export const executionTriggerValues = ['manual', 'api', 'sdk', 'webhook', 'schedule'] as const;
export const executionTriggerSchema = z.enum(executionTriggerValues);
export type ExecutionTrigger = z.infer<typeof executionTriggerSchema>;

/**
 * Job id of an execution's delivery. Delivery 0 (the first one) is the execution id itself, so a
 * retried `executions.start()` cannot enqueue the run twice. A later re-delivery of the same execution
 * (resume after approval, reaper, drain) passes the claim count from Postgres: the first job's id is
 * still retained by the queue and would swallow the new one (ADR 0004).
 */
export function executionJobId(executionId: string, delivery = 0): string {
  return delivery === 0 ? executionId : `${executionId}.${delivery}`;
}

/** How long an idempotency key returns the execution it first created. */
export const idempotencyWindowHours = 24;

export const executeAgentBodySchema = z.object({
  trigger_data: z.record(z.string(), z.unknown()).default({}).describe('Available as {{trigger.data...}}'),
  idempotency_key: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .optional()
    .describe(`The same key within ${idempotencyWindowHours} h returns the same execution`),
});
export type ExecuteAgentBody = z.infer<typeof executeAgentBodySchema>;

export const executeAgentResultSchema = z
  .object({ execution_id: uuid, status: executionStatusSchema })
  .meta({ id: 'ExecutionStarted' });
export type ExecuteAgentResult = z.infer<typeof executeAgentResultSchema>;

const errorSchema = z.object({ code: z.string(), message: z.string() }).nullable();

export const executionSchema = z
  .object({
    id: uuid,
    agent_id: uuid,
    agent_name: z.string().describe("The agent's current name"),
    agent_version_id: uuid.nullable(),
    agent_version: z
      .number()
      .int()
      .nullable()
      .describe("The pinned version's number (GET /agents/:agent_id/versions/:n has its definition)"),
    status: executionStatusSchema,
    triggered_by: z.string().nullable(),
    triggered_by_user_id: uuid.nullable(),
    trigger_data: z.record(z.string(), z.unknown()),
    output: z.unknown(),
    error: errorSchema,
    total_tokens: z.number().int(),
    total_cost: z.number(),
    attempts: z.number().int(),
    duration_ms: z.number().int().nullable(),
    started_at: timestamp.nullable(),
    completed_at: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Execution' });
export type Execution = z.infer<typeof executionSchema>;

export const executionParamsSchema = z.object({ id: uuid });

export const executionListQuerySchema = paginationQuerySchema.extend({
  agent_id: uuid.optional(),
  status: executionStatusSchema.optional(),
  triggered_by: executionTriggerSchema.optional(),
  from: timestamp.optional().describe('created at or after (ISO 8601)'),
  to: timestamp.optional().describe('created before (ISO 8601)'),
});
export type ExecutionListQuery = z.infer<typeof executionListQuerySchema>;

export const executionStepSchema = z
  .object({
    id: uuid,
    node_key: z.string(),
    node_type: z.string().nullable(),
    step_order: z.number().int(),
    attempt: z.number().int(),
    status: z.string(),
    input: z.unknown(),
    output: z.unknown(),
    error: z.string().nullable(),
    tokens_used: z.number().int(),
    cost: z.number(),
    duration_ms: z.number().int().nullable(),
    started_at: timestamp.nullable(),
    completed_at: timestamp.nullable(),
  })
  .meta({ id: 'ExecutionStep' });
export type ExecutionStep = z.infer<typeof executionStepSchema>;

export const executionLogSchema = z
  .object({
    id: uuid,
    step_id: uuid.nullable(),
    level: z.string(),
    message: z.string(),
    data: z.unknown(),
    created_at: timestamp,
  })
  .meta({ id: 'ExecutionLog' });
export type ExecutionLog = z.infer<typeof executionLogSchema>;

export const executionEventTypes = [
  'execution.started',
  'step.started',
  'step.completed',
  'step.failed',
  'step.waiting_approval',
  'execution.completed',
  'execution.failed',
  'execution.waiting_approval',
  'execution.cancelled',
  'execution.resumed',
  'log',
  // While a step runs: streamed text (coalesced chunks; `llm.restart` says how many characters of
  // the step's text to drop), agent loop iterations and tool calls, retries.
  'llm.token',
  'llm.restart',
  'agent.iteration',
  'agent.tool_call',
  'step.retry',
] as const;
export type ExecutionEventType = (typeof executionEventTypes)[number];

export const executionEventSchema = z
  .object({
    execution_id: uuid,
    seq: z.number().int().min(1),
    type: z.string(),
    payload: z.unknown(),
    created_at: timestamp,
  })
  .meta({ id: 'ExecutionEvent' });
export type ExecutionEvent = z.infer<typeof executionEventSchema>;

export const executionEventsQuerySchema = z.object({
  after: z.coerce.number().int().min(0).default(0).describe('Only events with seq > after'),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export type ExecutionEventsQuery = z.infer<typeof executionEventsQuerySchema>;

/** Steps and logs of one execution, in order. Bounded: a run has at most a few thousand. */
export const executionItemsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
});

export function executionItemsOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item) });
}
