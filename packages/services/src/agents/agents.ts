import type {
  Agent,
  AgentDetail,
  AgentListQuery,
  AgentStatusBody,
  CloneAgentBody,
  CreateAgentBody,
  Page,
  UpdateAgentBody,
} from '@agentflow/contracts';
import { AppError } from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { agents, agentVersions } from '@agentflow/db/schema';
import { and, desc, eq, ilike, inArray, ne, or, type SQL } from 'drizzle-orm';
import { afterCursor, cursorTimestamp, recordAudit, toPage } from '../audit';
import { inOrg, type ServiceContext } from '../context';
import { containsPattern } from '../like';
import {
  type AgentRow,
  assertNotArchived,
  getAgentRow,
  getPublishedSummary,
  readSettings,
  toAgent,
  toAgentDetail,
  versionSummaryColumns,
} from './present';
import { blankDefinition, starterDefinition } from './templates';
import { syncAgentTriggers } from './triggers';

export async function listAgents(ctx: ServiceContext, query: AgentListQuery): Promise<Page<Agent>> {
  const filters: Array<SQL | undefined> = [
    eq(agents.orgId, ctx.orgId),
    // Archived agents are soft-deleted: listed only when asked for explicitly.
    query.status ? eq(agents.status, query.status) : ne(agents.status, 'archived'),
    query.trigger_type ? eq(agents.triggerType, query.trigger_type) : undefined,
    query.search
      ? or(
          ilike(agents.name, containsPattern(query.search)),
          ilike(agents.description, containsPattern(query.search)),
        )
      : undefined,
    afterCursor(agents.createdAt, agents.id, query.cursor),
  ];
  return inOrg(ctx, async (tx) => {
    const rows = await tx
      .select({ agent: agents, id: agents.id, cursorAt: cursorTimestamp(agents.createdAt) })
      .from(agents)
      .where(and(...filters))
      .orderBy(desc(agents.createdAt), desc(agents.id))
      .limit(query.limit + 1);
    const page = toPage(rows, query.limit);
    const versionIds = page.rows.flatMap((r) =>
      r.agent.publishedVersionId ? [r.agent.publishedVersionId] : [],
    );
    const versions = versionIds.length
      ? await tx
          .select(versionSummaryColumns)
          .from(agentVersions)
          .where(and(eq(agentVersions.orgId, ctx.orgId), inArray(agentVersions.id, versionIds)))
      : [];
    const byId = new Map(versions.map((v) => [v.id, v]));
    return {
      data: page.rows.map((r) => toAgent(r.agent, byId.get(r.agent.publishedVersionId ?? '') ?? null)),
      next_cursor: page.nextCursor,
    };
  });
}

export async function getAgent(ctx: ServiceContext, id: string): Promise<AgentDetail> {
  return inOrg(ctx, async (tx) => {
    const row = await getAgentRow(tx, ctx, id);
    return toAgentDetail(row, await getPublishedSummary(tx, row));
  });
}

export async function createAgent(ctx: ServiceContext, body: CreateAgentBody): Promise<AgentDetail> {
  const definition =
    body.definition ??
    (body.template === 'starter' ? starterDefinition : blankDefinition)(
      body.trigger_type,
      body.trigger_config,
    );
  return inOrg(ctx, async (tx) => {
    const [row] = await tx
      .insert(agents)
      .values({
        orgId: ctx.orgId,
        createdBy: ctx.actor.type === 'user' ? ctx.actor.userId : null,
        name: body.name,
        description: body.description ?? null,
        triggerType: body.trigger_type,
        triggerConfig: body.trigger_config,
        settings: body.settings,
        draftDefinition: definition,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: 'agent.created',
      resourceType: 'agent',
      resourceId: row!.id,
      details: { name: body.name, template: body.definition ? null : (body.template ?? 'blank') },
    });
    return toAgentDetail(row!, null);
  });
}

/** Metadata and the draft. The draft saves even when invalid: the response carries its problems. */
export async function updateAgent(
  ctx: ServiceContext,
  id: string,
  body: UpdateAgentBody,
): Promise<AgentDetail> {
  return inOrg(ctx, async (tx) => {
    const before = await getAgentRow(tx, ctx, id);
    assertNotArchived(before);
    const patch: Partial<typeof agents.$inferInsert> = {};
    const changed: string[] = [];
    if (body.name !== undefined && body.name !== before.name) patch.name = body.name;
    if (body.description !== undefined && body.description !== before.description)
      patch.description = body.description;
    if (body.trigger_type !== undefined && body.trigger_type !== before.triggerType)
      patch.triggerType = body.trigger_type;
    if (body.trigger_config !== undefined) patch.triggerConfig = body.trigger_config;
    if (body.settings !== undefined) patch.settings = { ...readSettings(before.settings), ...body.settings };
    if (body.definition !== undefined) patch.draftDefinition = body.definition;
    changed.push(...Object.keys(patch));
    if (changed.length === 0) return toAgentDetail(before, await getPublishedSummary(tx, before));
    const [row] = await updateAgentRow(tx, ctx, id, patch);
    await recordAudit(tx, ctx, {
      action: 'agent.updated',
      resourceType: 'agent',
      resourceId: id,
      // Field names only: a definition can be large, and versions keep the published history.
      details: { fields: changed.map(snakeCase) },
    });
    return toAgentDetail(row!, await getPublishedSummary(tx, row!));
  });
}

/** Soft delete (seed 004 §3.3): executions and versions keep pointing at the agent. Idempotent. */
export async function archiveAgent(ctx: ServiceContext, id: string): Promise<void> {
  await inOrg(ctx, async (tx) => {
    const before = await getAgentRow(tx, ctx, id);
    if (before.status === 'archived') return;
    await updateAgentRow(tx, ctx, id, { status: 'archived' });
    await syncAgentTriggers(tx, ctx, id);
    await recordAudit(tx, ctx, {
      action: 'agent.archived',
      resourceType: 'agent',
      resourceId: id,
      details: { previous_status: before.status },
    });
  });
}

/** active needs a published version (executions run the published one, never the draft). */
export async function setAgentStatus(ctx: ServiceContext, id: string, body: AgentStatusBody): Promise<Agent> {
  return inOrg(ctx, async (tx) => {
    const before = await getAgentRow(tx, ctx, id);
    assertNotArchived(before);
    if (body.status === 'active' && !before.publishedVersionId) {
      throw new AppError('AGENT_NOT_PUBLISHED', 'Publish a version before activating the agent.', {
        agent_id: id,
      });
    }
    if (before.status === body.status) return toAgent(before, await getPublishedSummary(tx, before));
    const [row] = await updateAgentRow(tx, ctx, id, { status: body.status });
    await syncAgentTriggers(tx, ctx, id);
    await recordAudit(tx, ctx, {
      action: 'agent.status_changed',
      resourceType: 'agent',
      resourceId: id,
      details: { from: before.status, to: body.status },
    });
    return toAgent(row!, await getPublishedSummary(tx, row!));
  });
}

/** A new draft agent with the source's metadata and draft; versions are not copied. */
export async function cloneAgent(
  ctx: ServiceContext,
  id: string,
  body: CloneAgentBody,
): Promise<AgentDetail> {
  return inOrg(ctx, async (tx) => {
    const source = await getAgentRow(tx, ctx, id);
    const name = body.name ?? `${source.name} (copy)`.slice(0, 255);
    const [row] = await tx
      .insert(agents)
      .values({
        orgId: ctx.orgId,
        createdBy: ctx.actor.type === 'user' ? ctx.actor.userId : null,
        name,
        description: source.description,
        triggerType: source.triggerType,
        triggerConfig: source.triggerConfig,
        settings: source.settings,
        templateId: source.templateId,
        draftDefinition: source.draftDefinition,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: 'agent.cloned',
      resourceType: 'agent',
      resourceId: row!.id,
      details: { source_agent_id: id, name },
    });
    return toAgentDetail(row!, null);
  });
}

export function updateAgentRow(
  tx: Db,
  ctx: ServiceContext,
  id: string,
  patch: Partial<typeof agents.$inferInsert>,
): Promise<AgentRow[]> {
  return tx
    .update(agents)
    .set(patch)
    .where(and(eq(agents.orgId, ctx.orgId), eq(agents.id, id)))
    .returning();
}

function snakeCase(key: string): string {
  return key === 'draftDefinition' ? 'definition' : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
