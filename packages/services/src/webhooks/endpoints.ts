import { randomUUID } from 'node:crypto';
import {
  AppError,
  type RotatedWebhook,
  type RotateWebhookSecretBody,
  type UpdateWebhookBody,
  type WebhookEndpoint,
  type WebhookSecret,
  webhookPath,
  webhookRotationDefaultOverlapSeconds,
  webhookTriggerConfigSchema,
} from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { agents, agentVersions, webhookEndpoints } from '@agentflow/db/schema';
import { and, eq, sql } from 'drizzle-orm';
import { getAgentRow } from '../agents/present';
import { recordAudit } from '../audit';
import { inOrg, type ServiceContext } from '../context';
import { envelopeKeyVersion, type Keyring, openSecretText, sealSecret, secretPurposes } from '../secrets';
import { generateHookId, generateWebhookSecret, webhookSecretHint } from './verify';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookTriggerConfig = ReturnType<typeof webhookTriggerConfigSchema.parse>;

/** A service context that can seal and open secrets. */
export type WebhookContext = ServiceContext & { keyring: Keyring };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The webhook trigger of a published version: its parsed config (defaults applied), or null when the
 * version's trigger is another kind (or the version is gone).
 */
export async function publishedWebhookTrigger(
  tx: Db,
  orgId: string,
  versionId: string | null,
): Promise<WebhookTriggerConfig | null> {
  if (!versionId) return null;
  const [version] = await tx
    .select({ definition: agentVersions.definition })
    .from(agentVersions)
    .where(and(eq(agentVersions.id, versionId), eq(agentVersions.orgId, orgId)))
    .limit(1);
  const nodes = (version?.definition as { nodes?: unknown } | undefined)?.nodes;
  if (!Array.isArray(nodes)) return null;
  // A published definition has exactly one trigger node (the validator refuses anything else).
  const trigger = nodes.find(
    (node): node is { subtype: unknown; config: unknown } =>
      typeof node === 'object' && node !== null && (node as { type?: unknown }).type === 'trigger',
  );
  if (trigger?.subtype !== 'webhook') return null;
  const parsed = webhookTriggerConfigSchema.safeParse(trigger.config ?? {});
  return parsed.success ? parsed.data : null;
}

/**
 * Called by syncAgentTriggers inside the agent's transaction (row locked) after publish, rollback,
 * status change and archive: when the published version starts with a webhook trigger and the agent
 * has no endpoint yet, creates one (signed mode, a fresh `whsec_` secret sealed with the org's data
 * key). An existing endpoint is kept as it is, also when a later version has another trigger, so
 * re-publishing a webhook trigger keeps its URL and secret; deliveries are refused (404) while the
 * published trigger is not a webhook.
 */
export async function syncWebhookEndpoint(tx: Db, ctx: ServiceContext, agentId: string): Promise<void> {
  const [agent] = await tx
    .select({ publishedVersionId: agents.publishedVersionId })
    .from(agents)
    .where(and(eq(agents.id, agentId), eq(agents.orgId, ctx.orgId)))
    .limit(1);
  if (!agent) return;
  const trigger = await publishedWebhookTrigger(tx, ctx.orgId, agent.publishedVersionId);
  if (!trigger) return;
  const [existing] = await tx
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.agentId, agentId), eq(webhookEndpoints.orgId, ctx.orgId)))
    .limit(1);
  if (existing) return;
  if (!ctx.keyring) {
    // A wiring bug (the API always sets it): never create an endpoint without a sealed secret.
    throw new Error('syncWebhookEndpoint: the service context has no keyring to seal the webhook secret');
  }
  const id = randomUUID();
  const envelope = await sealSecret(
    { db: tx, orgId: ctx.orgId, keyring: ctx.keyring },
    generateWebhookSecret(),
    {
      purpose: secretPurposes.webhookSecret(id),
    },
  );
  const hookId = generateHookId();
  await tx.insert(webhookEndpoints).values({
    id,
    orgId: ctx.orgId,
    agentId,
    hookId,
    mode: 'signed',
    secretEncrypted: envelope,
    dataKeyVersion: envelopeKeyVersion(envelope) ?? null,
    createdBy: ctx.actor.type === 'user' ? ctx.actor.userId : null,
  });
  await recordAudit(tx, ctx, {
    action: 'webhook.created',
    resourceType: 'webhook_endpoint',
    resourceId: id,
    details: { agent_id: agentId, hook_id: hookId, mode: 'signed' },
  });
}

async function endpointOfAgent(
  tx: Db,
  ctx: ServiceContext,
  agentId: string,
  opts: { lock?: boolean } = {},
): Promise<{ endpoint: WebhookEndpointRow; trigger: WebhookTriggerConfig | null }> {
  // The agent first: another org's agent is AGENT_NOT_FOUND, whatever its webhook.
  const agent = await getAgentRow(tx, ctx, agentId);
  const query = tx
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.agentId, agent.id), eq(webhookEndpoints.orgId, ctx.orgId)))
    .limit(1);
  const [endpoint] = opts.lock ? await query.for('update') : await query;
  if (!endpoint) {
    throw new AppError(
      'WEBHOOK_NOT_FOUND',
      'This agent has no webhook: publish a version whose trigger is a webhook trigger.',
      { agent_id: agentId },
    );
  }
  return { endpoint, trigger: await publishedWebhookTrigger(tx, ctx.orgId, agent.publishedVersionId) };
}

function openCurrent(ctx: WebhookContext, tx: Db, row: WebhookEndpointRow): Promise<string> {
  return openSecretText({ db: tx, orgId: ctx.orgId, keyring: ctx.keyring }, row.secretEncrypted, {
    purpose: secretPurposes.webhookSecret(row.id),
  });
}

function toWebhookEndpoint(
  row: WebhookEndpointRow,
  trigger: WebhookTriggerConfig | null,
  secret: string,
): WebhookEndpoint {
  const previousLive =
    row.previousSecretEncrypted && row.previousSecretExpiresAt && row.previousSecretExpiresAt > new Date();
  return {
    id: row.id,
    agent_id: row.agentId,
    hook_id: row.hookId,
    path: webhookPath(row.hookId),
    mode: row.mode,
    is_active: row.isActive,
    method: trigger?.method ?? null,
    response_mode: trigger?.response_mode ?? null,
    secret_hint: webhookSecretHint(secret),
    previous_secret_expires_at: previousLive ? iso(row.previousSecretExpiresAt) : null,
    last_triggered_at: iso(row.lastTriggeredAt),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** The agent's webhook endpoint (the secret only as a hint). */
export async function getAgentWebhook(ctx: WebhookContext, agentId: string): Promise<WebhookEndpoint> {
  return inOrg(ctx, async (tx) => {
    const { endpoint, trigger } = await endpointOfAgent(tx, ctx, agentId);
    return toWebhookEndpoint(endpoint, trigger, await openCurrent(ctx, tx, endpoint));
  });
}

/** Switches the verification mode and/or turns deliveries on or off. Audited (`webhook.updated`). */
export async function updateAgentWebhook(
  ctx: WebhookContext,
  agentId: string,
  body: UpdateWebhookBody,
): Promise<WebhookEndpoint> {
  return inOrg(ctx, async (tx) => {
    const { endpoint, trigger } = await endpointOfAgent(tx, ctx, agentId, { lock: true });
    const patch: Partial<typeof webhookEndpoints.$inferInsert> = {};
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (body.mode !== undefined && body.mode !== endpoint.mode) {
      patch.mode = body.mode;
      changes.mode = { from: endpoint.mode, to: body.mode };
    }
    if (body.is_active !== undefined && body.is_active !== endpoint.isActive) {
      patch.isActive = body.is_active;
      changes.is_active = { from: endpoint.isActive, to: body.is_active };
    }
    let row = endpoint;
    if (Object.keys(patch).length > 0) {
      [row] = (await tx
        .update(webhookEndpoints)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(eq(webhookEndpoints.id, endpoint.id))
        .returning()) as [WebhookEndpointRow];
      await recordAudit(tx, ctx, {
        action: 'webhook.updated',
        resourceType: 'webhook_endpoint',
        resourceId: endpoint.id,
        details: { agent_id: agentId, changes },
      });
    }
    return toWebhookEndpoint(row, trigger, await openCurrent(ctx, tx, row));
  });
}

/**
 * Replaces the secret. The old one keeps verifying for `overlap_seconds` (default 24 h) so senders can
 * switch without dropped deliveries; a secret from before an earlier rotation stops at once. Answers
 * the new secret (once; reveal it again with revealAgentWebhookSecret). Audited (`webhook.secret_rotated`).
 */
export async function rotateAgentWebhookSecret(
  ctx: WebhookContext,
  agentId: string,
  body: Partial<RotateWebhookSecretBody> = {},
): Promise<RotatedWebhook> {
  const overlap = body.overlap_seconds ?? webhookRotationDefaultOverlapSeconds;
  return inOrg(ctx, async (tx) => {
    const { endpoint, trigger } = await endpointOfAgent(tx, ctx, agentId, { lock: true });
    const vault = { db: tx, orgId: ctx.orgId, keyring: ctx.keyring };
    const current = await openCurrent(ctx, tx, endpoint);
    const secret = generateWebhookSecret();
    const sealed = await sealSecret(vault, secret, { purpose: secretPurposes.webhookSecret(endpoint.id) });
    const previous =
      overlap > 0
        ? await sealSecret(vault, current, { purpose: secretPurposes.webhookPreviousSecret(endpoint.id) })
        : null;
    const [row] = (await tx
      .update(webhookEndpoints)
      .set({
        secretEncrypted: sealed,
        dataKeyVersion: envelopeKeyVersion(sealed) ?? null,
        previousSecretEncrypted: previous,
        previousSecretExpiresAt: previous ? sql`now() + make_interval(secs => ${overlap})` : null,
        updatedAt: sql`now()`,
      })
      .where(eq(webhookEndpoints.id, endpoint.id))
      .returning()) as [WebhookEndpointRow];
    await recordAudit(tx, ctx, {
      action: 'webhook.secret_rotated',
      resourceType: 'webhook_endpoint',
      resourceId: endpoint.id,
      details: {
        agent_id: agentId,
        overlap_seconds: overlap,
        previous_secret_expires_at: iso(row.previousSecretExpiresAt),
      },
    });
    return { ...toWebhookEndpoint(row, trigger, secret), secret };
  });
}

/** The current secret in clear, for configuring a sender. Audited (`webhook.secret_revealed`). */
export async function revealAgentWebhookSecret(ctx: WebhookContext, agentId: string): Promise<WebhookSecret> {
  return inOrg(ctx, async (tx) => {
    const { endpoint } = await endpointOfAgent(tx, ctx, agentId);
    const secret = await openCurrent(ctx, tx, endpoint);
    await recordAudit(tx, ctx, {
      action: 'webhook.secret_revealed',
      resourceType: 'webhook_endpoint',
      resourceId: endpoint.id,
      details: { agent_id: agentId },
    });
    return { secret };
  });
}
