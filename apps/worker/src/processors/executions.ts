import type { JobProcessor } from '@agentflow/queue';
import { runExecution } from '@agentflow/services';
import type { ProcessorDeps } from './types';

/**
 * Runs a delivered execution with `runExecution` (claim by compare-and-swap, lease + heartbeat,
 * steps, logs, sequenced events, totals). A duplicate or stale delivery is skipped by the claim, so
 * this never runs an execution twice. Without a database (worker smoke tests) it only records the
 * delivery.
 */
export function createExecutionsProcessor(deps: ProcessorDeps): JobProcessor<'executions'> {
  const { logger, database } = deps;
  return async (payload, job) => {
    logger.info({ queue: job.queue, jobId: job.jobId, payload }, 'execution job received');
    if (!database || !deps.keyring) {
      logger.warn({ jobId: job.jobId }, 'no database or keyring: execution job not run');
      return;
    }
    const outcome = await runExecution(
      {
        db: database.db,
        llm: { keyring: deps.keyring, endpointPolicy: deps.endpointPolicy, httpPolicy: deps.httpPolicy },
        events: deps.events,
        logger: logger.child({ executionId: payload.execution_id }),
      },
      payload.execution_id,
      { signal: job.signal },
    );
    logger.info({ jobId: job.jobId, executionId: payload.execution_id, outcome }, 'execution job done');
  };
}
