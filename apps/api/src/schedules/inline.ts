import type { Database } from '@agentflow/db';
import {
  createScheduleDriver,
  type EventBus,
  type QueueDriver,
  startScheduleReconciler,
} from '@agentflow/queue';
import { fireScheduleTick, listActiveSchedules } from '@agentflow/services';
import type { FastifyInstance } from 'fastify';

export interface InlineSchedulesOptions {
  /** The inline driver: ticks are enqueued into it, and the executions they start too. */
  queue: QueueDriver;
  /** In-process bus: `schedules:changed` (published by ./nudge after agent changes) reconciles at once. */
  events: EventBus;
  database: Database;
  /** Reconcile period (SCHEDULE_RECONCILE_INTERVAL_MS). */
  intervalMs: number;
  shutdownTimeoutMs: number;
}

/**
 * Embedded mode (no REDIS_URL, so no worker and no BullMQ job schedulers): the API keeps an
 * in-process timer per active schedule (reconciled from agent_schedules), enqueues each tick into the
 * inline `schedules` queue and consumes it itself with the worker's `fireScheduleTick`. Closing the
 * app stops the timers first, then waits (bounded) for the ticks in flight.
 */
export async function runSchedulesInline(
  app: FastifyInstance,
  options: InlineSchedulesOptions,
): Promise<void> {
  const logger = app.log.child({ component: 'schedules' });
  const consumer = await options.queue.consume(
    'schedules',
    async (payload, job) => {
      const outcome = await fireScheduleTick(options.database.db, payload, { queue: options.queue, logger });
      logger.debug({ jobId: job.jobId, agentId: payload.agent_id, outcome }, 'schedule tick done');
    },
    { listener: { onFailed: (job, err) => logger.error({ ...job, err }, 'schedule tick failed') } },
  );
  const reconciler = await startScheduleReconciler({
    driver: createScheduleDriver(options.queue, { logger }),
    load: () => listActiveSchedules(options.database.db),
    intervalMs: options.intervalMs,
    events: options.events,
    logger,
  });
  app.addHook('onClose', async () => {
    await reconciler.close();
    await consumer.close({ timeoutMs: options.shutdownTimeoutMs });
  });
}
