import type { JobProcessor } from '@agentflow/queue';
import type { ProcessorDeps } from './types';

/** Placeholder: records the validated request. The real one recomputes usage_daily for the day. */
export function createUsageRollupProcessor({ logger }: ProcessorDeps): JobProcessor<'usage-rollup'> {
  return async (payload, job) => {
    logger.info({ queue: job.queue, jobId: job.jobId, payload }, 'usage rollup job received');
  };
}
