import type { Database } from '@agentflow/db';
import type { EventBus, QueueDriver } from '@agentflow/queue';
import { type EndpointPolicy, type Keyring, runExecution } from '@agentflow/services';
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
}

/**
 * Embedded mode (no REDIS_URL): the API consumes the inline `executions` queue itself with the same
 * `runExecution` the worker uses. Closing the app stops taking jobs and waits (bounded) for the runs
 * in flight, before the caller closes the database.
 */
export async function consumeExecutionsInline(
  app: FastifyInstance,
  options: InlineExecutionsOptions,
): Promise<void> {
  const logger = app.log.child({ component: 'executions' });
  const consumer = await options.queue.consume(
    'executions',
    async (payload, job) => {
      const outcome = await runExecution(
        {
          db: options.database.db,
          llm: {
            keyring: options.keyring,
            endpointPolicy: options.endpointPolicy,
            httpPolicy: options.httpPolicy,
          },
          events: options.events,
          logger,
        },
        payload.execution_id,
        { signal: job.signal },
      );
      logger.debug({ executionId: payload.execution_id, jobId: job.jobId, outcome }, 'execution job done');
    },
    {
      concurrency: options.concurrency ?? 4,
      listener: { onFailed: (job, err) => logger.error({ ...job, err }, 'execution job failed') },
    },
  );
  app.addHook('onClose', async () => {
    await consumer.close({ timeoutMs: options.shutdownTimeoutMs });
  });
}
