import type { JobProcessor } from '@agentflow/queue';
import type { ProcessorDeps } from './types';

/** Placeholder: records the validated delivery. The real one parses, chunks and embeds the document. */
export function createIngestionProcessor({ logger }: ProcessorDeps): JobProcessor<'ingestion'> {
  return async (payload, job) => {
    logger.info({ queue: job.queue, jobId: job.jobId, payload }, 'ingestion job received');
  };
}
