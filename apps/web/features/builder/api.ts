import {
  type AgentDetail,
  agentDetailSchema,
  agentSchema,
  agentVersionSchema,
  agentVersionSummarySchema,
  executeAgentResultSchema,
  pageSchema,
  testAgentResultSchema,
  versionDiffSchema,
} from '@agentflow/contracts';
import { api } from '@/lib/api';
import type { LooseDefinition } from './definition';

export const builderKeys = {
  agent: (id: string) => ['agent', id] as const,
  versions: (id: string) => ['agent', id, 'versions'] as const,
  diff: (id: string, from: number, to: number) => ['agent', id, 'diff', from, to] as const,
};

export function getAgent(id: string): Promise<AgentDetail> {
  return api(`/agents/${id}`, agentDetailSchema);
}

export function saveDraft(id: string, definition: LooseDefinition): Promise<AgentDetail> {
  return api(`/agents/${id}`, agentDetailSchema, { method: 'PUT', body: { definition } });
}

export function publishAgent(id: string, change_message: string, definition: LooseDefinition) {
  return api(`/agents/${id}/publish`, agentVersionSchema, {
    method: 'POST',
    body: { change_message, definition },
  });
}

export function rollbackAgent(id: string, version: number, change_message?: string) {
  return api(`/agents/${id}/rollback`, agentVersionSchema, {
    method: 'POST',
    body: { version, ...(change_message ? { change_message } : {}) },
  });
}

const versionPageSchema = pageSchema(agentVersionSummarySchema);

export function listVersions(id: string) {
  return api(`/agents/${id}/versions?limit=100`, versionPageSchema);
}

export function diffVersions(id: string, from: number, to: number) {
  return api(`/agents/${id}/versions/diff?from=${from}&to=${to}`, versionDiffSchema);
}

export function testDraft(id: string, definition: LooseDefinition, trigger_data: Record<string, unknown>) {
  return api(`/agents/${id}/test`, testAgentResultSchema, {
    method: 'POST',
    body: { definition, trigger_data },
  });
}

export function executeAgent(id: string, trigger_data: Record<string, unknown>) {
  return api(`/agents/${id}/execute`, executeAgentResultSchema, { method: 'POST', body: { trigger_data } });
}

export function setAgentStatus(id: string, status: 'active' | 'paused') {
  return api(`/agents/${id}/status`, agentSchema, { method: 'PUT', body: { status } });
}
