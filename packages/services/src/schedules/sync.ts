import { type AgentDefinition, AppError, scheduleTriggerConfigSchema } from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { agentSchedules, agentVersions } from '@agentflow/db/schema';
import { and, eq } from 'drizzle-orm';
import { getAgentRow } from '../agents/present';
import type { ServiceContext } from '../context';
import { cronProblem, nextScheduleTick } from './cron';

/**
 * Keeps the agent's `agent_schedules` row in line with its published version and status. Called from
 * `syncAgentTriggers`, inside the agent's transaction, after publish, rollback, a status change and
 * archive:
 * - the published definition starts with a `trigger.schedule` node and the agent is not archived:
 *   upsert the row (cron, timezone, data), `is_active` = the agent is `active`, `next_run_at` = the
 *   next tick when active (null otherwise);
 * - anything else (no published version, another trigger, archived): delete the row.
 * Schedulers (BullMQ job schedulers, the in-process timer) are reconciled from these rows, so the row
 * flipping here is what pauses or resumes the ticks.
 *
 * The cron is parsed strictly here (contracts only check its shape): an expression that cannot be
 * scheduled fails the publish / activation with the validator's 422 (`details.problems`). A pause or
 * an archive never fails on it: the row is then written inactive (or deleted) regardless.
 */
export async function syncAgentSchedule(tx: Db, ctx: ServiceContext, agentId: string): Promise<void> {
  const agent = await getAgentRow(tx, ctx, agentId);
  const trigger =
    agent.status === 'archived' || !agent.publishedVersionId
      ? undefined
      : await scheduleTriggerOf(tx, ctx, agent.publishedVersionId);
  if (!trigger) {
    await tx
      .delete(agentSchedules)
      .where(and(eq(agentSchedules.orgId, ctx.orgId), eq(agentSchedules.agentId, agentId)));
    return;
  }

  const { nodeId, index } = trigger;
  const config = trigger.config.success ? trigger.config.data : undefined;
  const problem = config
    ? cronProblem(config.cron, config.timezone)
    : `Invalid schedule trigger: ${trigger.config.error?.issues.map((i) => i.message).join('; ')}`;
  if (problem && agent.status !== 'paused') {
    throw new AppError('VALIDATION_ERROR', 'The definition has 1 problem.', {
      problems: [
        {
          code: 'invalid_config',
          message: problem,
          node_id: nodeId,
          path: `nodes.${index}.config${config ? '.cron' : ''}`,
        },
      ],
    });
  }
  if (!config) {
    // Paused with a config that no longer parses: nothing to schedule; activation will refuse it.
    await tx
      .delete(agentSchedules)
      .where(and(eq(agentSchedules.orgId, ctx.orgId), eq(agentSchedules.agentId, agentId)));
    return;
  }
  const isActive = agent.status === 'active';
  const values = {
    cron: config.cron,
    timezone: config.timezone,
    data: config.data,
    isActive,
    nextRunAt: isActive ? nextScheduleTick(config.cron, config.timezone, new Date()) : null,
  };
  await tx
    .insert(agentSchedules)
    .values({ orgId: ctx.orgId, agentId, ...values })
    .onConflictDoUpdate({ target: agentSchedules.agentId, set: { ...values, updatedAt: new Date() } });
}

interface ScheduleTrigger {
  /** Parsed again so defaults a later contracts release adds are filled in for old versions. */
  config: ReturnType<typeof scheduleTriggerConfigSchema.safeParse>;
  nodeId: string;
  index: number;
}

/** The published version's schedule trigger, or undefined when it starts with another trigger. */
async function scheduleTriggerOf(
  tx: Db,
  ctx: ServiceContext,
  versionId: string,
): Promise<ScheduleTrigger | undefined> {
  const [version] = await tx
    .select({ definition: agentVersions.definition })
    .from(agentVersions)
    .where(and(eq(agentVersions.orgId, ctx.orgId), eq(agentVersions.id, versionId)))
    .limit(1);
  const nodes = (version?.definition as AgentDefinition | undefined)?.nodes ?? [];
  // A valid definition has exactly one trigger (the validator refuses more).
  const index = nodes.findIndex((node) => node.type === 'trigger');
  const node = nodes[index];
  if (node?.subtype !== 'schedule') return undefined;
  return { config: scheduleTriggerConfigSchema.safeParse(node.config), nodeId: node.id, index };
}
