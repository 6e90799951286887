import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  ABORT_GRACE_MS,
  type CloseOptions,
  type CloseResult,
  type ConsumeOptions,
  type Consumer,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type EnqueueOptions,
  type EnqueueResult,
  type JobProcessor,
  type JobSnapshot,
  type JobState,
  type QueueDriver,
} from '../driver';
import { InvalidJobPayloadError, QueueClosedError } from '../errors';
import { consoleLogger, type QueueLogger } from '../logger';
import { assertValidDelay, getQueueDefinition, parsePayload, resolveJobId } from '../payload';
import { checkRedis, closeRedis, createRedis } from '../redis';
import type { JobPayloadInput, QueueName } from '../registry';
import { withSchedulerTick } from '../schedulers/tick';
import { safely, settlesWithin, toError } from '../util/async';
import { jobOptions, workerOptions } from './bullmq-options';

export const DEFAULT_QUEUE_PREFIX = 'agentflow';

export interface BullmqDriverOptions {
  redisUrl: string;
  /** Namespace of every Redis key (BullMQ `prefix`); tests use a unique one per run. */
  prefix?: string;
  logger?: QueueLogger;
}

const STATES: Record<string, JobState> = {
  waiting: 'waiting',
  prioritized: 'waiting',
  'waiting-children': 'waiting',
  delayed: 'delayed',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
};

/**
 * Redis-backed driver. Connections: one `producer` connection shared by every Queue (bounded retries,
 * so enqueue fails fast when Redis is down) and, once something consumes, one `worker` connection
 * shared by every Worker (plus the blocking connection BullMQ duplicates per Worker).
 * Connections are passed to BullMQ as instances: BullMQ cannot build ioredis clients from options
 * when loaded as ESM, and shared instances keep the connection count predictable.
 */
export class BullmqQueueDriver implements QueueDriver {
  readonly kind = 'bullmq' as const;
  readonly prefix: string;
  private readonly logger: QueueLogger;
  private readonly producer: Redis;
  private workerConnection: Redis | undefined;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly consumers = new Set<Consumer>();
  private closing: Promise<CloseResult> | undefined;
  private readonly reconnectListeners = new Set<() => void>();

  constructor(private readonly options: BullmqDriverOptions) {
    this.prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX;
    this.logger = options.logger ?? consoleLogger;
    this.producer = createRedis(options.redisUrl, {
      role: 'producer',
      connectionName: `${this.prefix}:producer`,
      onError: (err) => this.logger.warn({ err }, 'redis producer connection error'),
    });
    // ioredis emits 'ready' on every (re)connect; only the ones after a loss are news.
    let connectedBefore = false;
    this.producer.on('ready', () => {
      if (!connectedBefore) {
        connectedBefore = true;
        return;
      }
      this.logger.warn({ prefix: this.prefix }, 'redis connection restored');
      for (const listener of this.reconnectListeners) {
        try {
          listener();
        } catch (err) {
          this.logger.error({ err }, 'a reconnect listener failed');
        }
      }
    });
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async enqueue<Q extends QueueName>(
    queue: Q,
    payload: JobPayloadInput<Q>,
    options: EnqueueOptions = {},
  ): Promise<EnqueueResult> {
    if (this.closing) throw new QueueClosedError(`enqueue to "${queue}"`);
    const data = parsePayload(queue, payload);
    const jobId = resolveJobId(queue, data, options.jobId);
    assertValidDelay(queue, options.delayMs);
    // An existing id makes BullMQ return the existing job without adding: that is the dedup.
    await this.queue(queue).add(queue, data, {
      jobId,
      ...(options.delayMs ? { delay: options.delayMs } : {}),
    });
    return { jobId };
  }

  async consume<Q extends QueueName>(
    queue: Q,
    processor: JobProcessor<Q>,
    options: ConsumeOptions = {},
  ): Promise<Consumer> {
    if (this.closing) throw new QueueClosedError(`consume "${queue}"`);
    const { policy } = getQueueDefinition(queue);
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    }
    const active = new Set<string>();
    const listener = options.listener;

    // Three parameters on purpose: BullMQ only passes the abort signal to processors declaring it.
    const run = async (job: Job, _token: string | undefined, signal: AbortSignal | undefined) => {
      const jobId = job.id ?? '';
      active.add(jobId);
      try {
        let payload: ReturnType<typeof parsePayload<Q>>;
        try {
          // A job scheduler's job carries only its template data; the tick it stands for is in its id.
          payload = parsePayload(queue, withSchedulerTick(job), jobId);
        } catch (error) {
          // Unrecoverable: even if attempts are raised one day, a bad payload must never be retried.
          const wrapped = new UnrecoverableError(toError(error).message);
          wrapped.cause = error;
          throw wrapped;
        }
        await processor(payload, {
          queue,
          jobId,
          attempt: job.attemptsMade + 1,
          enqueuedAt: new Date(job.timestamp),
          signal: signal ?? new AbortController().signal,
        });
      } finally {
        active.delete(jobId);
      }
    };

    const worker = new Worker(queue, run, {
      connection: this.workerRedis(),
      prefix: this.prefix,
      concurrency,
      autorun: true,
      ...workerOptions(policy),
    });
    worker.on('completed', (job) => {
      const durationMs = (job.finishedOn ?? Date.now()) - (job.processedOn ?? job.timestamp);
      safely(() => listener?.onCompleted?.({ queue, jobId: job.id ?? '' }, durationMs));
    });
    worker.on('failed', (job, error) => {
      const reported = error.cause instanceof InvalidJobPayloadError ? error.cause : error;
      safely(() => listener?.onFailed?.({ queue, jobId: job?.id ?? '' }, reported));
    });
    worker.on('stalled', (jobId) => {
      this.logger.warn(
        { queue, jobId },
        'job stalled (its worker stopped renewing the lock); BullMQ fails it',
      );
    });
    worker.on('error', (err) => this.logger.error({ err, queue }, 'bullmq worker error'));
    try {
      await worker.waitUntilReady();
      // close() may have started while we waited; it would not know about this worker.
      if (this.closing) throw new QueueClosedError(`consume "${queue}"`);
    } catch (error) {
      await worker.close(true).catch(() => {});
      throw error;
    }

    let closing: Promise<CloseResult> | undefined;
    const consumer: Consumer = {
      queue,
      close: (closeOptions: CloseOptions = {}) => {
        closing ??= (async () => {
          const timeoutMs = closeOptions.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
          // close() stops fetching at once, then waits for active jobs (BullMQ has no timeout of its own).
          const closed = worker.close();
          closed.catch((err) => this.logger.error({ err, queue }, 'bullmq worker close failed'));
          let timedOut = false;
          if (!(await settlesWithin(closed, timeoutMs))) {
            timedOut = true;
            worker.cancelAllJobs('queue shutdown');
            await settlesWithin(closed, ABORT_GRACE_MS);
          }
          this.consumers.delete(consumer);
          return { timedOut, abandoned: [...active].map((jobId) => ({ queue, jobId })) };
        })();
        return closing;
      },
    };
    this.consumers.add(consumer);
    return consumer;
  }

  async getJob(queue: QueueName, jobId: string): Promise<JobSnapshot | undefined> {
    const bullQueue = this.queue(queue);
    let job = await bullQueue.getJob(jobId);
    if (!job) return undefined;
    const state = STATES[await job.getState()];
    if (!state) return undefined;
    // The hash was read before the state: a job that finished in between needs its final data.
    if ((state === 'completed' || state === 'failed') && !job.finishedOn) {
      job = (await bullQueue.getJob(jobId)) ?? job;
    }
    return {
      queue,
      jobId,
      state,
      payload: job.data,
      ...(job.failedReason ? { failedReason: job.failedReason } : {}),
    };
  }

  async ping(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closing) throw new QueueClosedError('ping');
    await checkRedis(this.producer, options.timeoutMs);
  }

  close(options: CloseOptions = {}): Promise<CloseResult> {
    this.closing ??= (async () => {
      const results = await Promise.all([...this.consumers].map((consumer) => consumer.close(options)));
      await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
      if (this.workerConnection) await closeRedis(this.workerConnection);
      await closeRedis(this.producer);
      return {
        timedOut: results.some((result) => result.timedOut),
        abandoned: results.flatMap((result) => result.abandoned),
      };
    })();
    return this.closing;
  }

  /**
   * The BullMQ Queue of a registry queue (shared producer connection, this driver's prefix and job
   * defaults), for what the driver interface does not cover: job schedulers (`createScheduleDriver`).
   * Closed by this driver's `close()`.
   */
  bullQueue(name: QueueName): Queue {
    if (this.closing) throw new QueueClosedError(`use "${name}"`);
    return this.queue(name);
  }

  private queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      const { policy } = getQueueDefinition(name);
      queue = new Queue(name, {
        connection: this.producer,
        prefix: this.prefix,
        defaultJobOptions: jobOptions(policy),
      });
      queue.on('error', (err) => this.logger.error({ err, queue: name }, 'bullmq queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private workerRedis(): Redis {
    this.workerConnection ??= createRedis(this.options.redisUrl, {
      role: 'worker',
      connectionName: `${this.prefix}:worker`,
      onError: (err) => this.logger.warn({ err }, 'redis worker connection error'),
    });
    return this.workerConnection;
  }
}
