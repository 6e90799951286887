import {
  type Agent,
  agentSchema,
  agentStatusValues,
  agentTriggerTypes,
  pageSchema,
} from '@agentflow/contracts';
import { api, noContent } from '@/lib/api';

export type AgentStatus = (typeof agentStatusValues)[number];
export type TriggerType = (typeof agentTriggerTypes)[number];
export { agentStatusValues, agentTriggerTypes };

export interface AgentFilters {
  search: string;
  status: AgentStatus | '';
  trigger: TriggerType | '';
}

const agentPageSchema = pageSchema(agentSchema);
export const PAGE_SIZE = 20;

export function listAgents(filters: AgentFilters, cursor: string | undefined) {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filters.search.trim()) q.set('search', filters.search.trim());
  if (filters.status) q.set('status', filters.status);
  if (filters.trigger) q.set('trigger_type', filters.trigger);
  if (cursor) q.set('cursor', cursor);
  return api(`/agents?${q}`, agentPageSchema);
}

export function createAgent(body: { name: string; description?: string; template: 'blank' | 'starter' }) {
  return api('/agents', agentSchema, { method: 'POST', body });
}

export function cloneAgent(agent: Agent) {
  return api(`/agents/${agent.id}/clone`, agentSchema, { method: 'POST', body: {} });
}

export function setAgentStatus(agent: Agent, status: 'active' | 'paused') {
  return api(`/agents/${agent.id}/status`, agentSchema, { method: 'PUT', body: { status } });
}

export function archiveAgent(agent: Agent) {
  return api(`/agents/${agent.id}`, noContent, { method: 'DELETE' });
}
