import type { Database } from '@agentflow/db';
import type { EventBus, QueueDriver } from '@agentflow/queue';
import { createExecutionRuntime, type EndpointPolicy, type Keyring } from '@agentflow/services';
import type { FastifyInstance } from 'fastify';

export interface InlineExecutionsOptions {
  queue: QueueDriver;
  events: EventBus;
  database: Database;
  keyring: Keyring;
  endpointPolicy?: EndpointPolicy | undefined;
  httpPolicy?: EndpointPolicy | undefined;
  shutdownTimeoutMs: number;
  concurrency?: number;
  /** Lease, reaper and recovery settings (ADR 0006); defaults suit a single embedded process. */
  leaseMs?: number | undefined;
  sweepIntervalMs?: number | undefined;
}

/**
 * Embedded mode (no REDIS_URL): the API consumes the inline `executions` queue itself through the same
 * executions runtime the worker uses (runs, cancel, reaper, approval deadlines, re-enqueueing the
 * pending runs a restart lost). Closing the app stops the runtime, stops taking jobs and waits
 * (bounded) for the runs in flight, before the caller closes the database.
 */
export async function consumeExecutionsInline(
  app: FastifyInstance,
  options: InlineExecutionsOptions,
): Promise<void> {
  const logger = app.log.child({ component: 'executions' });
  const runtime = createExecutionRuntime({
    db: options.database.db,
    llm: { keyring: options.keyring, endpointPolicy: options.endpointPolicy, httpPolicy: options.httpPolicy },
    queue: options.queue,
    events: options.events,
    leaseMs: options.leaseMs,
    sweepIntervalMs: options.sweepIntervalMs,
    logger,
  });
  const consumer = await options.queue.consume(
    'executions',
    async (payload, job) => {
      const outcome = await runtime.process(payload.execution_id, job.signal, payload.org_id);
      logger.debug({ executionId: payload.execution_id, jobId: job.jobId, outcome }, 'execution job done');
    },
    {
      concurrency: options.concurrency ?? 4,
      listener: { onFailed: (job, err) => logger.error({ ...job, err }, 'execution job failed') },
    },
  );
  await runtime.start();
  app.addHook('onClose', async () => {
    await runtime.stop();
    await consumer.close({ timeoutMs: options.shutdownTimeoutMs });
  });
}
