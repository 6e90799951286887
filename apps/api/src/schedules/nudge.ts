import { type EventBus, SCHEDULES_CHANGED_CHANNEL } from '@agentflow/queue';
import type { FastifyInstance } from 'fastify';

/**
 * The routes after which an agent's schedule row may have changed (publish, rollback, status,
 * archive), as Fastify route patterns. Their services sync `agent_schedules` inside the agent's
 * transaction; this only tells the schedulers to look now instead of at their next period.
 */
const scheduleChangingRoutes = new Set([
  'POST /api/v1/agents/:id/publish',
  'POST /api/v1/agents/:id/rollback',
  'PUT /api/v1/agents/:id/status',
  'DELETE /api/v1/agents/:id',
]);

/**
 * Publishes `schedules:changed` (message: the agent id) once such a route answered 2xx, i.e. after
 * its transaction committed. Reconcilers (workers via Redis, the embedded scheduler in-process)
 * reconcile at once, so a pause stops the ticks within moments. Best effort: a lost message only
 * means the change waits for the periodic reconcile (SCHEDULE_RECONCILE_INTERVAL_MS).
 */
export function registerScheduleNudge(app: FastifyInstance, events: EventBus): void {
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 300) return;
    if (!scheduleChangingRoutes.has(`${request.method} ${request.routeOptions.url}`)) return;
    const agentId = (request.params as { id?: unknown } | undefined)?.id;
    await events.publish(SCHEDULES_CHANGED_CHANNEL, String(agentId ?? '')).catch((err: unknown) => {
      request.log.warn(
        { err },
        'publishing schedules:changed failed; schedules follow the periodic reconcile',
      );
    });
  });
}
