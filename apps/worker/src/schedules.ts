import type { Database } from '@agentflow/db';
import {
  createScheduleDriver,
  type EventBus,
  type QueueDriver,
  type ScheduleReconciler,
  startScheduleReconciler,
} from '@agentflow/queue';
import { listActiveSchedules } from '@agentflow/services';
import type { Logger } from './logger';

export const DEFAULT_SCHEDULE_RECONCILE_MS = 10_000;

export interface WorkerSchedulesDeps {
  queue: QueueDriver;
  database?: Database | undefined;
  /** Where the API announces agent changes (`schedules:changed`): reconcile at once. */
  events?: EventBus | undefined;
  logger: Logger;
  /** The longest a pause or a new schedule waits when the nudge is missed. */
  intervalMs?: number | undefined;
}

/**
 * Schedule triggers in services mode: keeps one BullMQ job scheduler per active `agent_schedules` row
 * (reconciled at start, every `intervalMs` and on `schedules:changed`). Every worker runs this; they
 * converge on the same schedulers, and the tick's idempotency key covers any overlap. Without a
 * database (smoke tests) there is nothing to reconcile from.
 */
export async function startSchedules(deps: WorkerSchedulesDeps): Promise<ScheduleReconciler | undefined> {
  const { database } = deps;
  if (!database) return undefined;
  const logger = deps.logger.child({ component: 'schedules' });
  return startScheduleReconciler({
    driver: createScheduleDriver(deps.queue, { logger }),
    load: () => listActiveSchedules(database.db),
    intervalMs: deps.intervalMs ?? DEFAULT_SCHEDULE_RECONCILE_MS,
    events: deps.events,
    logger,
  });
}
