import type { JobProcessor } from '@agentflow/queue';
import { fireScheduleTick } from '@agentflow/services';
import type { ProcessorDeps } from './types';

/**
 * Starts the execution of a schedule tick with `fireScheduleTick`: idempotency key
 * `schedule:{agent}:{tick ISO}`, so the same tick delivered twice (or fired by two schedulers) is one
 * execution. A tick of a paused / removed schedule, or one refused by the concurrency limit, is skipped
 * with a log line and the job completes; only unexpected errors (database down) fail the job, which is
 * not retried (the next tick comes anyway). Without a database (worker smoke tests) it only records
 * the delivery.
 */
export function createSchedulesProcessor(deps: ProcessorDeps): JobProcessor<'schedules'> {
  const { logger, database, queue } = deps;
  return async (payload, job) => {
    logger.debug({ queue: job.queue, jobId: job.jobId, payload }, 'schedule tick received');
    if (!database || !queue) {
      logger.warn({ jobId: job.jobId }, 'no database or queue: schedule tick not fired');
      return;
    }
    const outcome = await fireScheduleTick(database.db, payload, {
      queue,
      logger: logger.child({ component: 'schedules' }),
    });
    logger.info(
      { jobId: job.jobId, agentId: payload.agent_id, scheduledFor: payload.scheduled_for, outcome },
      'schedule tick done',
    );
  };
}
