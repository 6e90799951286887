import {
  ABORT_GRACE_MS,
  type CloseOptions,
  type CloseResult,
  type ConsumeListener,
  type ConsumeOptions,
  type Consumer,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type EnqueueOptions,
  type EnqueueResult,
  type JobContext,
  type JobProcessor,
  type JobRef,
  type JobSnapshot,
  type JobState,
  type QueueDriver,
} from '../driver';
import { QueueClosedError } from '../errors';
import { assertValidDelay, getQueueDefinition, parsePayload, resolveJobId } from '../payload';
import type { JobPayloadInput, QueueName } from '../registry';
import { safely, settlesWithin, toError } from '../util/async';
import { FinishedLog } from './inline-retention';

interface InlineJob {
  id: string;
  payload: unknown;
  state: JobState;
  enqueuedAt: number;
  failedReason?: string;
  timer?: NodeJS.Timeout;
}

interface ActiveJob {
  job: InlineJob;
  controller: AbortController;
  done: Promise<void>;
}

type AnyProcessor = (payload: never, job: JobContext<never>) => Promise<void>;

interface InlineConsumer {
  processor: AnyProcessor;
  concurrency: number;
  listener: ConsumeListener | undefined;
  active: Map<string, ActiveJob>;
  closing: Promise<CloseResult> | undefined;
}

class InlineQueue {
  readonly jobs = new Map<string, InlineJob>();
  readonly waiting: InlineJob[] = [];
  readonly consumers = new Set<InlineConsumer>();
  readonly completed: FinishedLog;
  readonly failed: FinishedLog;
  dispatchScheduled = false;

  constructor(readonly name: QueueName) {
    const { policy } = getQueueDefinition(name);
    this.completed = new FinishedLog(policy.keepCompleted);
    this.failed = new FinishedLog(policy.keepFailed);
  }
}

/**
 * In-process driver for the embedded mode (no Redis). Same contract as the BullMQ driver: validation
 * on both ends, dedup by job id with the same retention, per-consumer concurrency, no retries, and
 * processors always run after `enqueue` has returned (never inside the caller's stack).
 * Pending jobs live in memory only: they are lost with the process, which is why Postgres, not the
 * queue, records what still has to run.
 */
export class InlineQueueDriver implements QueueDriver {
  readonly kind = 'inline' as const;
  private readonly queues = new Map<QueueName, InlineQueue>();
  private closing: Promise<CloseResult> | undefined;

  async enqueue<Q extends QueueName>(
    queue: Q,
    payload: JobPayloadInput<Q>,
    options: EnqueueOptions = {},
  ): Promise<EnqueueResult> {
    if (this.closing) throw new QueueClosedError(`enqueue to "${queue}"`);
    const data = parsePayload(queue, payload);
    const jobId = resolveJobId(queue, data, options.jobId);
    assertValidDelay(queue, options.delayMs);
    const state = this.queue(queue);
    if (state.jobs.has(jobId)) return { jobId };

    const job: InlineJob = {
      id: jobId,
      // Serialized like Redis would, so a producer mutating its object later cannot touch the job.
      payload: JSON.parse(JSON.stringify(data)),
      state: options.delayMs ? 'delayed' : 'waiting',
      enqueuedAt: Date.now(),
    };
    state.jobs.set(jobId, job);
    if (options.delayMs) {
      job.timer = setTimeout(() => {
        job.timer = undefined;
        job.state = 'waiting';
        state.waiting.push(job);
        this.scheduleDispatch(state);
      }, options.delayMs);
    } else {
      state.waiting.push(job);
      this.scheduleDispatch(state);
    }
    return { jobId };
  }

  async consume<Q extends QueueName>(
    queue: Q,
    processor: JobProcessor<Q>,
    options: ConsumeOptions = {},
  ): Promise<Consumer> {
    if (this.closing) throw new QueueClosedError(`consume "${queue}"`);
    getQueueDefinition(queue);
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    }
    const state = this.queue(queue);
    const consumer: InlineConsumer = {
      processor: processor as AnyProcessor,
      concurrency,
      listener: options.listener,
      active: new Map(),
      closing: undefined,
    };
    state.consumers.add(consumer);
    this.scheduleDispatch(state);
    return {
      queue,
      close: (closeOptions) => this.closeConsumer(state, consumer, closeOptions),
    };
  }

  async getJob(queue: QueueName, jobId: string): Promise<JobSnapshot | undefined> {
    const job = this.queue(queue).jobs.get(jobId);
    if (!job) return undefined;
    return {
      queue,
      jobId,
      state: job.state,
      payload: job.payload,
      ...(job.failedReason === undefined ? {} : { failedReason: job.failedReason }),
    };
  }

  async ping(): Promise<void> {
    if (this.closing) throw new QueueClosedError('ping');
  }

  close(options: CloseOptions = {}): Promise<CloseResult> {
    this.closing ??= (async () => {
      const closing: Promise<CloseResult>[] = [];
      for (const state of this.queues.values()) {
        for (const job of state.jobs.values()) if (job.timer) clearTimeout(job.timer);
        state.waiting.length = 0;
        for (const consumer of state.consumers) closing.push(this.closeConsumer(state, consumer, options));
      }
      const results = await Promise.all(closing);
      return {
        timedOut: results.some((result) => result.timedOut),
        abandoned: results.flatMap((result) => result.abandoned),
      };
    })();
    return this.closing;
  }

  private queue(name: QueueName): InlineQueue {
    let state = this.queues.get(name);
    if (!state) {
      getQueueDefinition(name);
      state = new InlineQueue(name);
      this.queues.set(name, state);
    }
    return state;
  }

  private scheduleDispatch(state: InlineQueue): void {
    if (state.dispatchScheduled) return;
    state.dispatchScheduled = true;
    setImmediate(() => {
      state.dispatchScheduled = false;
      this.dispatch(state);
    });
  }

  private dispatch(state: InlineQueue): void {
    while (state.waiting.length > 0) {
      const consumer = [...state.consumers].find((c) => !c.closing && c.active.size < c.concurrency);
      if (!consumer) return;
      const job = state.waiting.shift()!;
      this.run(state, consumer, job);
    }
  }

  private run(state: InlineQueue, consumer: InlineConsumer, job: InlineJob): void {
    const controller = new AbortController();
    const ref: JobRef = { queue: state.name, jobId: job.id };
    job.state = 'active';
    const startedAt = Date.now();
    const done = (async () => {
      try {
        const payload = parsePayload(state.name, job.payload, job.id);
        const context: JobContext = {
          queue: state.name,
          jobId: job.id,
          attempt: 1,
          enqueuedAt: new Date(job.enqueuedAt),
          signal: controller.signal,
        };
        await consumer.processor(payload as never, context as JobContext<never>);
        this.finish(state, job, 'completed');
        safely(() => consumer.listener?.onCompleted?.(ref, Date.now() - startedAt));
      } catch (caught) {
        const error = toError(caught);
        this.finish(state, job, 'failed', error.message);
        safely(() => consumer.listener?.onFailed?.(ref, error));
      } finally {
        consumer.active.delete(job.id);
        this.scheduleDispatch(state);
      }
    })();
    consumer.active.set(job.id, { job, controller, done });
  }

  private finish(state: InlineQueue, job: InlineJob, outcome: 'completed' | 'failed', reason?: string): void {
    job.state = outcome;
    if (reason !== undefined) job.failedReason = reason;
    const log = outcome === 'completed' ? state.completed : state.failed;
    for (const evicted of log.add(job.id)) state.jobs.delete(evicted);
  }

  private closeConsumer(
    state: InlineQueue,
    consumer: InlineConsumer,
    options: CloseOptions = {},
  ): Promise<CloseResult> {
    consumer.closing ??= (async () => {
      const timeoutMs = options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
      const running = () => Promise.all([...consumer.active.values()].map((active) => active.done));
      let timedOut = false;
      if (!(await settlesWithin(running(), timeoutMs))) {
        timedOut = true;
        for (const active of consumer.active.values()) active.controller.abort(new Error('queue shutdown'));
        await settlesWithin(running(), ABORT_GRACE_MS);
      }
      state.consumers.delete(consumer);
      const abandoned = [...consumer.active.keys()].map((jobId) => ({ queue: state.name, jobId }));
      return { timedOut, abandoned };
    })();
    return consumer.closing;
  }
}
