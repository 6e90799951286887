import type { JobProcessor } from '@agentflow/queue';
import type { ProcessorDeps } from './types';

/**
 * Placeholder until the engine lands: the payload has already been validated by the queue driver;
 * this only records the delivery. The real processor claims the execution row (pending -> running
 * with a lease) and streams the graph.
 */
export function createExecutionsProcessor({ logger }: ProcessorDeps): JobProcessor<'executions'> {
  return async (payload, job) => {
    logger.info({ queue: job.queue, jobId: job.jobId, payload }, 'execution job received');
  };
}
