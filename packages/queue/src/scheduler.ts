import type { QueueDriver } from './driver';
import { BullmqQueueDriver } from './drivers/bullmq';
import type { EventBus, Unsubscribe } from './events';
import { consoleLogger } from './logger';
import { BullmqScheduleDriver } from './schedulers/bullmq';
import { TimerScheduleDriver } from './schedulers/timer';
import {
  SCHEDULES_CHANGED_CHANNEL,
  type ScheduleDriver,
  type ScheduleLogger,
  type ScheduleSpec,
  type ScheduleSyncResult,
} from './schedulers/types';

/**
 * Schedule triggers: something must turn "agent X runs on `0 9 * * 1-5` in Europe/Berlin" into one
 * `schedules` job per tick, carrying the tick's nominal time (`scheduled_for`). Two drivers behind one
 * interface, reconciled from the same source (the `agent_schedules` rows, loaded by the caller):
 * - `bullmq`: one BullMQ job scheduler per agent (`agent:{agentId}`), stored in Redis, so it keeps
 *   ticking whichever worker is alive, and only one job exists per tick however many workers there are;
 * - `timer`: an in-process timer per schedule (embedded mode, no Redis) that enqueues each tick into
 *   the queue driver (the inline one), with the queue's default job id `agentId.tickMs`.
 * Whatever fires a tick, the consumer starts its execution with the idempotency key
 * `schedule:{agent}:{tick ISO}`, so a duplicate tick (two schedulers, a re-delivery) is one execution.
 */

export {
  SCHEDULES_CHANGED_CHANNEL,
  type ScheduleDriver,
  type ScheduleLogger,
  type ScheduleSpec,
  type ScheduleSyncResult,
  scheduleSchedulerId,
} from './schedulers/types';

/** BullMQ job schedulers on the driver's Redis and prefix; an in-process timer for any other driver. */
export function createScheduleDriver(
  queue: QueueDriver,
  options: { logger?: ScheduleLogger | undefined } = {},
): ScheduleDriver {
  const logger = options.logger ?? consoleLogger;
  if (queue instanceof BullmqQueueDriver) {
    return new BullmqScheduleDriver(queue.bullQueue('schedules'), { logger });
  }
  return new TimerScheduleDriver(queue, { logger });
}

export interface ScheduleReconcilerOptions {
  driver: ScheduleDriver;
  /** The schedules that should tick now (services: `listActiveSchedules`). */
  load: () => Promise<ScheduleSpec[]>;
  /** Period of the reconcile loop: the longest a pause or a change waits without a nudge. */
  intervalMs: number;
  /** Subscribed to `SCHEDULES_CHANGED_CHANNEL`: any message triggers a reconcile at once. */
  events?: EventBus | undefined;
  logger?: ScheduleLogger | undefined;
}

export interface ScheduleReconciler {
  /**
   * Runs a pass that starts after this call (coalesced with other callers): resolves with what it
   * changed, or undefined when it failed (logged) or the reconciler is closed.
   */
  reconcile(): Promise<ScheduleSyncResult | undefined>;
  /** Stops the loop and the subscription, waits for a running pass, closes the driver. Idempotent. */
  close(): Promise<void>;
}

/**
 * Keeps `driver` in line with `load()`: once before resolving, then every `intervalMs`, and whenever
 * a message arrives on `schedules:changed`. A failing pass (database or Redis down) is logged and
 * retried at the next period; it never throws. Several processes may each run one: job scheduler
 * upserts are idempotent, and a process acting on a stale view is corrected by the next pass, while
 * the tick itself re-checks the row in Postgres before starting anything.
 */
export async function startScheduleReconciler(
  options: ScheduleReconcilerOptions,
): Promise<ScheduleReconciler> {
  const { driver, load, intervalMs } = options;
  const logger: ScheduleLogger = options.logger ?? consoleLogger;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: Unsubscribe | undefined;
  // One pass at a time; at most one more waits behind it (it will read the latest rows when it starts).
  let chain: Promise<unknown> = Promise.resolve();
  let queued: Promise<ScheduleSyncResult | undefined> | undefined;

  const pass = async (): Promise<ScheduleSyncResult | undefined> => {
    try {
      const specs = await load();
      if (closed) return undefined;
      const result = await driver.sync(specs);
      const changed = result.created.length + result.updated.length + result.removed.length;
      if (changed > 0) {
        logger.info?.({ ...result, driver: driver.kind }, 'schedules reconciled');
      }
      return result;
    } catch (err) {
      logger.warn({ err, driver: driver.kind }, 'reconciling schedules failed; retrying at the next period');
      return undefined;
    }
  };

  const reconcile = (): Promise<ScheduleSyncResult | undefined> => {
    if (closed) return Promise.resolve(undefined);
    if (queued) return queued;
    const next = chain.then(() => {
      queued = undefined;
      return closed ? undefined : pass();
    });
    queued = next;
    chain = next;
    return next;
  };

  const loop = () => {
    timer = setTimeout(() => {
      void reconcile().then(() => {
        if (!closed) loop();
      });
    }, intervalMs);
    timer.unref();
  };

  if (options.events) {
    try {
      unsubscribe = await options.events.subscribe(SCHEDULES_CHANGED_CHANNEL, () => void reconcile());
    } catch (err) {
      logger.warn(
        { err },
        `subscribing to ${SCHEDULES_CHANGED_CHANNEL} failed; schedules follow the periodic pass only`,
      );
    }
  }
  await reconcile();
  loop();

  let closing: Promise<void> | undefined;
  return {
    reconcile,
    close: () => {
      closing ??= (async () => {
        closed = true;
        clearTimeout(timer);
        await unsubscribe?.().catch(() => {});
        await chain.catch(() => {});
        await driver.close();
      })();
      return closing;
    },
  };
}
