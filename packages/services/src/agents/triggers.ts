import type { Db } from '@agentflow/db';
import type { ServiceContext } from '../context';
import { syncAgentSchedule } from '../schedules/sync';
import { syncWebhookEndpoint } from '../webhooks/endpoints';

/**
 * Keeps an agent's trigger resources in line with its published version and status: the webhook
 * endpoint of a webhook-triggered agent, the cron row of a schedule-triggered one (paused when the
 * agent is not active). Called inside the agent's transaction (row locked) after publish, rollback,
 * a status change and archive, so the trigger rows can never disagree with the agent.
 * Each trigger kind adds its own sync call here.
 */
export async function syncAgentTriggers(tx: Db, ctx: ServiceContext, agentId: string): Promise<void> {
  await syncAgentSchedule(tx, ctx, agentId);
  await syncWebhookEndpoint(tx, ctx, agentId);
}
