import {
  agentDefinitionSchema,
  agentSchema,
  agentVersionSchema,
  approvalSchema,
  approveExecutionResultSchema,
  cancelExecutionResultSchema,
  type ExecutionStatusValue,
  type ExecutionTrigger,
  executionItemsOf,
  executionLogSchema,
  executionSchema,
  executionStatusValues,
  executionStepSchema,
  executionTriggerValues,
  pageSchema,
} from '@agentflow/contracts';
import { api } from '@/lib/api';

export { executionStatusValues, executionTriggerValues };

/** The list's filters as the URL keeps them (`from`/`to` are yyyy-mm-dd days, local time). */
export interface ExecutionFilters {
  agent: string;
  status: ExecutionStatusValue | '';
  trigger: ExecutionTrigger | '';
  from: string;
  to: string;
}

export const emptyFilters: ExecutionFilters = { agent: '', status: '', trigger: '', from: '', to: '' };
export const PAGE_SIZE = 20;

/** A yyyy-mm-dd day as the ISO instant its local midnight is; `nextDay` for an exclusive upper bound. */
export function dayToIso(day: string, nextDay = false): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (nextDay ? 1 : 0));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function executionListQuery(filters: ExecutionFilters, cursor?: string): URLSearchParams {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filters.agent) q.set('agent_id', filters.agent);
  if (filters.status) q.set('status', filters.status);
  if (filters.trigger) q.set('triggered_by', filters.trigger);
  const from = dayToIso(filters.from);
  const to = dayToIso(filters.to, true);
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  if (cursor) q.set('cursor', cursor);
  return q;
}

const executionPageSchema = pageSchema(executionSchema);
export function listExecutions(filters: ExecutionFilters, cursor?: string) {
  return api(`/executions?${executionListQuery(filters, cursor)}`, executionPageSchema);
}

export function getExecution(id: string) {
  return api(`/executions/${id}`, executionSchema);
}

const stepsSchema = executionItemsOf(executionStepSchema);
export function listSteps(id: string) {
  return api(`/executions/${id}/steps`, stepsSchema);
}

const logsSchema = executionItemsOf(executionLogSchema);
export function listLogs(id: string) {
  return api(`/executions/${id}/logs`, logsSchema);
}

export function cancelExecution(id: string) {
  return api(`/executions/${id}/cancel`, cancelExecutionResultSchema, { method: 'POST' });
}

export function decideApproval(executionId: string, decision: 'approve' | 'reject', comment: string) {
  const trimmed = comment.trim();
  return api(`/executions/${executionId}/approve`, approveExecutionResultSchema, {
    method: 'POST',
    body: { decision, ...(trimmed ? { comment: trimmed } : {}) },
  });
}

const approvalPageSchema = pageSchema(approvalSchema);
export function listApprovals(params: { executionId?: string; cursor?: string } = {}) {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (params.executionId) q.set('execution_id', params.executionId);
  if (params.cursor) q.set('cursor', params.cursor);
  return api(`/approvals?${q}`, approvalPageSchema);
}

/** The pinned version's graph (for the read-only run view). */
export async function getVersionDefinition(agentId: string, version: number) {
  const v = await api(`/agents/${agentId}/versions/${version}`, agentVersionSchema);
  const parsed = agentDefinitionSchema.safeParse(v.definition);
  return parsed.success ? parsed.data : { nodes: [], edges: [] };
}

const agentOptionsSchema = pageSchema(agentSchema.pick({ id: true, name: true, status: true }));
/** Agents for the filter: the first 100, archived ones included (their runs stay listed). */
export async function listAgentOptions() {
  const [live, archived] = await Promise.all([
    api('/agents?limit=100', agentOptionsSchema),
    api('/agents?limit=100&status=archived', agentOptionsSchema),
  ]);
  return [...live.data, ...archived.data].sort((a, b) => a.name.localeCompare(b.name));
}
