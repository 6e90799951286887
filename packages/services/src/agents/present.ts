import {
  type Agent,
  type AgentDetail,
  type AgentSettings,
  type AgentVersionSummary,
  AppError,
  agentSettingsSchema,
  agentTriggerTypes,
  validateDefinition,
} from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { agents, agentVersions } from '@agentflow/db/schema';
import { and, eq, sql } from 'drizzle-orm';
import type { ServiceContext } from '../context';

export type AgentRow = typeof agents.$inferSelect;
type VersionRow = typeof agentVersions.$inferSelect;

/** Node/edge counts read from the jsonb, so a list never ships whole definitions. */
export const versionCounts = {
  nodeCount: sql<number>`coalesce(jsonb_array_length(${agentVersions.definition}->'nodes'), 0)`,
  edgeCount: sql<number>`coalesce(jsonb_array_length(${agentVersions.definition}->'edges'), 0)`,
};

export type VersionSummaryRow = Omit<VersionRow, 'definition'> & { nodeCount: number; edgeCount: number };

export const versionSummaryColumns = {
  id: agentVersions.id,
  orgId: agentVersions.orgId,
  agentId: agentVersions.agentId,
  version: agentVersions.version,
  changeMessage: agentVersions.changeMessage,
  createdBy: agentVersions.createdBy,
  isPublished: agentVersions.isPublished,
  publishedAt: agentVersions.publishedAt,
  createdAt: agentVersions.createdAt,
  ...versionCounts,
};

export function toVersionSummary(row: VersionSummaryRow): AgentVersionSummary {
  return {
    id: row.id,
    version: row.version,
    change_message: row.changeMessage,
    created_by: row.createdBy,
    is_published: row.isPublished,
    node_count: Number(row.nodeCount),
    edge_count: Number(row.edgeCount),
    created_at: row.createdAt.toISOString(),
  };
}

/** Stored settings with defaults filled in; a row written before a field existed still reads whole. */
export function readSettings(stored: Record<string, unknown>): AgentSettings {
  const parsed = agentSettingsSchema.safeParse(stored);
  return parsed.success ? parsed.data : agentSettingsSchema.parse({});
}

function readTriggerType(value: string | null): Agent['trigger_type'] {
  return (agentTriggerTypes as readonly string[]).includes(value ?? '')
    ? (value as Agent['trigger_type'])
    : null;
}

export function toAgent(row: AgentRow, published: VersionSummaryRow | null): Agent {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
    trigger_type: readTriggerType(row.triggerType),
    trigger_config: row.triggerConfig,
    settings: readSettings(row.settings),
    template_id: row.templateId,
    created_by: row.createdBy,
    latest_version: row.latestVersion,
    published_version: published ? toVersionSummary(published) : null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function toAgentDetail(row: AgentRow, published: VersionSummaryRow | null): AgentDetail {
  return {
    ...toAgent(row, published),
    definition: row.draftDefinition,
    problems: validateDefinition(row.draftDefinition).problems,
  };
}

export function agentNotFound(id: string): AppError {
  return new AppError('AGENT_NOT_FOUND', `Agent ${id} not found.`, { agent_id: id });
}

/** Fetch-or-throw within the org; `lock` takes the row lock publishing serializes on. */
export async function getAgentRow(
  tx: Db,
  ctx: ServiceContext,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<AgentRow> {
  const query = tx
    .select()
    .from(agents)
    .where(and(eq(agents.orgId, ctx.orgId), eq(agents.id, id)));
  const [row] = opts.lock ? await query.for('update') : await query;
  if (!row) throw agentNotFound(id);
  return row;
}

export async function getPublishedSummary(tx: Db, row: AgentRow): Promise<VersionSummaryRow | null> {
  if (!row.publishedVersionId) return null;
  const [version] = await tx
    .select(versionSummaryColumns)
    .from(agentVersions)
    .where(and(eq(agentVersions.orgId, row.orgId), eq(agentVersions.id, row.publishedVersionId)));
  return version ?? null;
}

export function assertNotArchived(row: AgentRow): void {
  if (row.status === 'archived') {
    throw new AppError('AGENT_ARCHIVED', `Agent ${row.id} is archived; clone it to work on it again.`, {
      agent_id: row.id,
    });
  }
}
