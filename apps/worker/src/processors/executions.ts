import type { JobProcessor } from '@agentflow/queue';
import type { ProcessorDeps } from './types';

/**
 * Runs a delivered execution through the executions runtime (claim by compare-and-swap, lease +
 * heartbeat, cancel, checkpointed steps, sequenced events, totals; ADR 0006). A duplicate or stale
 * delivery is skipped by the claim, so this never runs an execution twice. Without a database
 * (worker smoke tests) it only records the delivery.
 */
export function createExecutionsProcessor(deps: ProcessorDeps): JobProcessor<'executions'> {
  const { logger, runtime } = deps;
  return async (payload, job) => {
    logger.debug({ queue: job.queue, jobId: job.jobId, payload }, 'execution job received');
    if (!runtime) {
      logger.warn({ jobId: job.jobId }, 'no database or keyring: execution job not run');
      return;
    }
    const outcome = await runtime.process(payload.execution_id, job.signal, payload.org_id);
    logger.info({ jobId: job.jobId, executionId: payload.execution_id, outcome }, 'execution job done');
  };
}
