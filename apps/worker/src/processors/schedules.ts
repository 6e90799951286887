import type { JobProcessor } from '@agentflow/queue';
import type { ProcessorDeps } from './types';

/** Placeholder: records the validated tick. The real one starts an execution for the agent. */
export function createSchedulesProcessor({ logger }: ProcessorDeps): JobProcessor<'schedules'> {
  return async (payload, job) => {
    logger.info({ queue: job.queue, jobId: job.jobId, payload }, 'schedule tick received');
  };
}
