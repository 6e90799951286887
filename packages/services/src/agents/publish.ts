import {
  type AgentDefinition,
  type AgentVersion,
  AppError,
  type PublishAgentBody,
  type RollbackAgentBody,
  validateDefinition,
} from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { agentEdges, agentNodes, agentVersions } from '@agentflow/db/schema';
import { and, eq, ne } from 'drizzle-orm';
import { recordAudit } from '../audit';
import { inOrg, type ServiceContext } from '../context';
import { updateAgentRow } from './agents';
import { type AgentRow, assertNotArchived, getAgentRow } from './present';
import { syncAgentTriggers } from './triggers';
import { getVersionRow, toVersion } from './versions';

/** Validates or throws the 422 publish and dry runs share: `details.problems` is the validator's list. */
export function validOrThrow(definition: unknown): AgentDefinition {
  const result = validateDefinition(definition);
  if (!result.ok || !result.definition) {
    const n = result.problems.length;
    throw new AppError('VALIDATION_ERROR', `The definition has ${n} problem${n === 1 ? '' : 's'}.`, {
      problems: result.problems,
    });
  }
  return result.definition;
}

/**
 * Freezes the draft (or the given definition, which also becomes the draft) as version n+1 and makes
 * it the published one.
 */
export async function publishAgent(
  ctx: ServiceContext,
  id: string,
  body: PublishAgentBody,
): Promise<AgentVersion> {
  return inOrg(ctx, async (tx) => {
    const agent = await getAgentRow(tx, ctx, id, { lock: true });
    assertNotArchived(agent);
    const definition = validOrThrow(body.definition ?? agent.draftDefinition);
    const version = await freezeVersion(tx, ctx, agent, definition, body.change_message);
    if (body.definition) await updateAgentRow(tx, ctx, id, { draftDefinition: body.definition });
    await syncAgentTriggers(tx, ctx, id);
    await recordAudit(tx, ctx, {
      action: 'agent.published',
      resourceType: 'agent',
      resourceId: id,
      details: { version: version.version, version_id: version.id, change_message: body.change_message },
    });
    return version;
  });
}

/**
 * Publishes an old version's definition as a new version (history only grows). The draft is left
 * alone so unsaved canvas work survives; the old definition is re-validated in case the node catalog
 * has tightened since it was frozen.
 */
export async function rollbackAgent(
  ctx: ServiceContext,
  id: string,
  body: RollbackAgentBody,
): Promise<AgentVersion> {
  return inOrg(ctx, async (tx) => {
    const agent = await getAgentRow(tx, ctx, id, { lock: true });
    assertNotArchived(agent);
    const target = await getVersionRow(tx, ctx, id, body.version);
    const definition = validOrThrow(target.definition);
    const message = body.change_message ?? `Rollback to version ${body.version}`;
    const version = await freezeVersion(tx, ctx, agent, definition, message);
    await syncAgentTriggers(tx, ctx, id);
    await recordAudit(tx, ctx, {
      action: 'agent.rolled_back',
      resourceType: 'agent',
      resourceId: id,
      details: { to_version: body.version, version: version.version, version_id: version.id },
    });
    return version;
  });
}

/**
 * Writes version latest+1 with its nodes and edges and points the agent at it. Callers hold the
 * agent's row lock (`FOR UPDATE`), so concurrent publishes queue on it and each reads the previous
 * one's latest_version; the unique (agent_id, version) constraint backs this up.
 * The stored definition is the validator's parsed one (config defaults applied), so a later change of
 * a default never changes what a frozen version does.
 */
async function freezeVersion(
  tx: Db,
  ctx: ServiceContext,
  agent: AgentRow,
  definition: AgentDefinition,
  changeMessage: string,
): Promise<AgentVersion> {
  const now = new Date();
  const [version] = await tx
    .insert(agentVersions)
    .values({
      orgId: ctx.orgId,
      agentId: agent.id,
      version: agent.latestVersion + 1,
      definition,
      changeMessage,
      createdBy: ctx.actor.type === 'user' ? ctx.actor.userId : null,
      isPublished: true,
      publishedAt: now,
    })
    .returning();
  await tx
    .update(agentVersions)
    .set({ isPublished: false })
    .where(
      and(
        eq(agentVersions.orgId, ctx.orgId),
        eq(agentVersions.agentId, agent.id),
        ne(agentVersions.id, version!.id),
        eq(agentVersions.isPublished, true),
      ),
    );
  await materializeGraph(tx, ctx, version!.id, definition);
  await updateAgentRow(tx, ctx, agent.id, {
    latestVersion: version!.version,
    publishedVersionId: version!.id,
  });
  return toVersion({ ...version!, nodeCount: definition.nodes.length, edgeCount: definition.edges.length });
}

/** agent_nodes / agent_edges: the version's graph as rows, for queries across versions and step rows. */
async function materializeGraph(tx: Db, ctx: ServiceContext, versionId: string, definition: AgentDefinition) {
  if (definition.nodes.length === 0) return;
  const nodes = await tx
    .insert(agentNodes)
    .values(
      definition.nodes.map((n) => ({
        orgId: ctx.orgId,
        agentVersionId: versionId,
        nodeKey: n.id,
        nodeType: n.type,
        nodeSubtype: n.subtype,
        label: n.label.slice(0, 255),
        config: n.config,
        positionX: n.position.x,
        positionY: n.position.y,
      })),
    )
    .returning({ id: agentNodes.id, nodeKey: agentNodes.nodeKey });
  const rowIdOf = new Map(nodes.map((n) => [n.nodeKey, n.id]));
  if (definition.edges.length === 0) return;
  await tx.insert(agentEdges).values(
    definition.edges.map((e) => ({
      orgId: ctx.orgId,
      agentVersionId: versionId,
      // A valid definition's edges only join existing nodes.
      sourceNodeId: rowIdOf.get(e.source)!,
      targetNodeId: rowIdOf.get(e.target)!,
      sourceHandle: e.source_handle ?? null,
      condition: e.condition ?? null,
      label: e.label?.slice(0, 100) ?? null,
    })),
  );
}
