import { createHash } from 'node:crypto';
import { AppError, type ExecutionStatusValue, webhookToleranceSeconds } from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { agents, executions, webhookDeliveries, webhookEndpoints } from '@agentflow/db/schema';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { inOrg, type ServiceContext } from '../context';
import {
  type ExecutionQueue,
  enqueueStarted,
  insertExecution,
  lockAgentForStart,
  type StartedExecution,
} from '../executions/start';
import { publishedWebhookTrigger, type WebhookEndpointRow, type WebhookTriggerConfig } from './endpoints';

export interface StartedDelivery {
  executionId: string;
  status: ExecutionStatusValue;
  duplicate: boolean;
  trigger: WebhookTriggerConfig;
}

export interface DeliveryInput {
  /** Upper-case HTTP method of the request (checked against the trigger's). */
  method: string;
  deliveryId: string | undefined;
  deliveryTimestamp: number | undefined;
  /** Built once the hook is known to be live for this method (a bad body is a 400 only then). */
  triggerData: () => Record<string, unknown>;
}

/** `last_triggered_at` is informational: written at most once a second per endpoint (a hot row). */
const touchEverySeconds = 1;

function notFound(): AppError {
  return new AppError('WEBHOOK_NOT_FOUND', 'No active webhook at this address.');
}

/**
 * Starts the delivery's execution once, in ONE org transaction: the published trigger is checked
 * (404 when the hook is not live, 405 for another method), the delivery id is claimed (unique per
 * endpoint and webhook-id: a copy seen in the window returns the execution it started), the
 * execution is inserted with the delivery's idempotency key under the agent's row lock, the delivery
 * row points at it, and the endpoint's last delivery time is updated. Any refusal (agent paused,
 * limits) rolls the whole delivery back, so the sender's retry can start it. Enqueued after commit.
 *
 * Locks are taken in one order (the delivery row, then the agent row), so racing copies of one
 * delivery wait for each other instead of deadlocking; the agent's lock is held for the start only.
 */
export async function startDelivery(
  deps: { queue: ExecutionQueue },
  ctx: ServiceContext,
  endpoint: WebhookEndpointRow,
  input: DeliveryInput,
): Promise<StartedDelivery> {
  const outcome = await inOrg(ctx, async (tx) => {
    const [agent] = await tx
      .select({ publishedVersionId: agents.publishedVersionId })
      .from(agents)
      .where(and(eq(agents.id, endpoint.agentId), eq(agents.orgId, ctx.orgId)))
      .limit(1);
    const trigger = await publishedWebhookTrigger(tx, ctx.orgId, agent?.publishedVersionId ?? null);
    // The published version no longer starts with a webhook trigger: the hook is not live.
    if (!trigger) throw notFound();
    if (input.method !== trigger.method) {
      throw new AppError('METHOD_NOT_ALLOWED', `This webhook accepts ${trigger.method} only.`, {
        allow: [trigger.method],
      });
    }
    const triggerData = input.triggerData();

    let idempotencyKey: string | undefined;
    let ownDelivery = false;
    if (input.deliveryId !== undefined) {
      const deliveryId = input.deliveryId;
      // Replays are accepted until the signed timestamp leaves the window, so the row lives that long.
      const window = sql`make_interval(secs => ${webhookToleranceSeconds})`;
      const expiresAt =
        input.deliveryTimestamp === undefined
          ? sql`now() + ${window}`
          : sql`greatest(now(), to_timestamp(${input.deliveryTimestamp})) + ${window}`;
      // Opportunistic cleanup: this endpoint's expired ids (their timestamps can no longer verify).
      await tx
        .delete(webhookDeliveries)
        .where(
          and(eq(webhookDeliveries.endpointId, endpoint.id), lt(webhookDeliveries.expiresAt, sql`now()`)),
        );
      const [own] = await tx
        .insert(webhookDeliveries)
        .values({ orgId: ctx.orgId, endpointId: endpoint.id, deliveryId, expiresAt })
        .onConflictDoNothing({ target: [webhookDeliveries.endpointId, webhookDeliveries.deliveryId] })
        .returning({ id: webhookDeliveries.id });
      if (!own) {
        // Seen in the window (a racing first copy has committed by now: the insert waited for it).
        const [seen] = await tx
          .select({ executionId: webhookDeliveries.executionId, status: executions.status })
          .from(webhookDeliveries)
          .leftJoin(executions, eq(executions.id, webhookDeliveries.executionId))
          .where(
            and(eq(webhookDeliveries.endpointId, endpoint.id), eq(webhookDeliveries.deliveryId, deliveryId)),
          )
          .limit(1);
        if (seen?.executionId && seen.status) {
          await touch(tx, endpoint.id);
          return {
            started: { row: { id: seen.executionId, status: seen.status }, fresh: false },
            duplicate: true,
            trigger,
          };
        }
      }
      ownDelivery = own !== undefined;
      idempotencyKey = `webhook:${endpoint.id}:${createHash('sha256').update(deliveryId).digest('base64url')}`;
    }

    const locked = await lockAgentForStart(tx, ctx, endpoint.agentId);
    if (!locked) throw notFound();
    const started: StartedExecution = await insertExecution(
      tx,
      ctx,
      { agentId: endpoint.agentId, triggerData, triggeredBy: 'webhook', idempotencyKey },
      locked,
    );
    if (input.deliveryId !== undefined) {
      await tx
        .update(webhookDeliveries)
        .set({ executionId: started.row.id })
        .where(
          and(
            eq(webhookDeliveries.endpointId, endpoint.id),
            eq(webhookDeliveries.deliveryId, input.deliveryId),
            isNull(webhookDeliveries.executionId),
          ),
        );
    }
    await touch(tx, endpoint.id);
    // Not fresh = the key matched the run of an earlier copy (whose delivery row had expired).
    return {
      started,
      duplicate: !started.fresh || (input.deliveryId !== undefined && !ownDelivery),
      trigger,
    };
  });
  const result = await enqueueStarted(ctx, outcome.started, deps);
  return {
    executionId: result.execution_id,
    status: result.status,
    duplicate: outcome.duplicate,
    trigger: outcome.trigger,
  };
}

async function touch(tx: Db, endpointId: string): Promise<void> {
  await tx
    .update(webhookEndpoints)
    // A delivery is not a configuration change: updated_at stays.
    .set({ lastTriggeredAt: sql`now()`, updatedAt: sql`${webhookEndpoints.updatedAt}` })
    .where(
      and(
        eq(webhookEndpoints.id, endpointId),
        or(
          isNull(webhookEndpoints.lastTriggeredAt),
          lt(webhookEndpoints.lastTriggeredAt, sql`now() - make_interval(secs => ${touchEverySeconds})`),
        ),
      ),
    );
}
