import {
  AppError,
  type Execution,
  type ExecutionEvent,
  type ExecutionLog,
  type ExecutionStatusValue,
  type ExecutionStep,
} from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import {
  type executionEvents,
  type executionLogs,
  type executionSteps,
  executions,
} from '@agentflow/db/schema';
import { and, eq } from 'drizzle-orm';
import type { ServiceContext } from '../context';

export type ExecutionRow = typeof executions.$inferSelect;
type StepRow = typeof executionSteps.$inferSelect;
type LogRow = typeof executionLogs.$inferSelect;
type EventRow = typeof executionEvents.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Fetch-or-throw within the caller's org; another org's execution is indistinguishable from none. */
export async function getExecutionRow(tx: Db, ctx: Pick<ServiceContext, 'orgId'>, id: string) {
  const [row] = await tx
    .select()
    .from(executions)
    .where(and(eq(executions.id, id), eq(executions.orgId, ctx.orgId)))
    .limit(1);
  if (!row) throw new AppError('EXECUTION_NOT_FOUND', 'Execution not found.');
  return row;
}

/** The agent's name and the pinned version's number, joined in by the readers (read.ts). */
export interface ExecutionAgentInfo {
  agentName: string;
  agentVersion: number | null;
}

export function toExecution(row: ExecutionRow, agent: ExecutionAgentInfo): Execution {
  return {
    id: row.id,
    agent_id: row.agentId,
    agent_name: agent.agentName,
    agent_version_id: row.agentVersionId,
    agent_version: agent.agentVersion,
    status: row.status as ExecutionStatusValue,
    triggered_by: row.triggeredBy,
    triggered_by_user_id: row.triggeredByUserId,
    trigger_data: row.triggerData,
    output: row.output ?? null,
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? '' } : null,
    total_tokens: row.totalTokens,
    total_cost: Number(row.totalCost),
    attempts: row.attempts,
    duration_ms:
      row.startedAt && row.completedAt ? row.completedAt.getTime() - row.startedAt.getTime() : null,
    started_at: iso(row.startedAt),
    completed_at: iso(row.completedAt),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function toStep(row: StepRow): ExecutionStep {
  return {
    id: row.id,
    node_key: row.nodeKey,
    node_type: row.nodeType,
    step_order: row.stepOrder,
    attempt: row.attempt,
    status: row.status,
    input: row.inputData ?? null,
    output: row.outputData ?? null,
    error: row.errorMessage,
    tokens_used: row.tokensUsed,
    cost: Number(row.cost),
    duration_ms: row.durationMs,
    started_at: iso(row.startedAt),
    completed_at: iso(row.completedAt),
  };
}

export function toLog(row: LogRow): ExecutionLog {
  return {
    id: row.id,
    step_id: row.stepId,
    level: row.level,
    message: row.message,
    data: row.data ?? null,
    created_at: row.createdAt.toISOString(),
  };
}

export function toEvent(row: EventRow): ExecutionEvent {
  return {
    execution_id: row.executionId,
    seq: row.seq,
    type: row.type,
    payload: row.payload,
    created_at: row.createdAt.toISOString(),
  };
}
