import type { JobPayload, JobPayloadInput, QueueName } from './registry';

export interface EnqueueOptions {
  /** Overrides the queue's default job id. Enqueueing an id that already exists is a no-op. */
  jobId?: string;
  /** Do not deliver before this many milliseconds have passed. */
  delayMs?: number;
}

export interface EnqueueResult {
  /** The job id used: the explicit one, the queue's default, or a generated UUID. */
  jobId: string;
}

export interface JobContext<Q extends QueueName = QueueName> {
  queue: Q;
  jobId: string;
  /** 1 for the first attempt. Queues never retry on their own today, so this is always 1. */
  attempt: number;
  enqueuedAt: Date;
  /**
   * Aborted when the driver gives up waiting for this job during shutdown. Long processors should
   * pass it on (LLM calls, fetch) and stop at a safe point; Postgres leases cover the rest.
   */
  signal: AbortSignal;
}

/** Receives a payload that has already passed the queue's schema. Throwing fails the job. */
export type JobProcessor<Q extends QueueName> = (payload: JobPayload<Q>, job: JobContext<Q>) => Promise<void>;

/** Notified of every outcome, so failures are never silent. Listener errors are swallowed. */
export interface ConsumeListener {
  onCompleted?(job: JobRef, durationMs: number): void;
  onFailed?(job: JobRef, error: Error): void;
}

export interface ConsumeOptions {
  /** Jobs of this queue processed at the same time by this consumer (default 1). */
  concurrency?: number;
  listener?: ConsumeListener;
}

export interface JobRef {
  queue: QueueName;
  jobId: string;
}

export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

export interface JobSnapshot extends JobRef {
  state: JobState;
  /** The stored payload as delivered (not re-validated). */
  payload: unknown;
  failedReason?: string;
}

export interface CloseOptions {
  /** How long to wait for active jobs before aborting them (default 10 000 ms). */
  timeoutMs?: number;
}

export interface CloseResult {
  /** True when active jobs did not finish within `timeoutMs` and were aborted. */
  timedOut: boolean;
  /**
   * Jobs still running after their abort signal fired and a short grace period. They are left to
   * their fate: BullMQ fails them as stalled once their lock expires; the inline driver drops them.
   */
  abandoned: JobRef[];
}

export interface Consumer {
  readonly queue: QueueName;
  /** Stops taking jobs of this queue and waits for active ones (see `CloseOptions`). Idempotent. */
  close(options?: CloseOptions): Promise<CloseResult>;
}

/**
 * Delivers jobs of the registry's queues. Two implementations with the same semantics: `bullmq`
 * (Redis, many processes) and `inline` (in-process, no Redis). Payloads are validated on enqueue and
 * on consume; job ids dedupe; nothing is retried automatically.
 */
export interface QueueDriver {
  readonly kind: 'bullmq' | 'inline';
  enqueue<Q extends QueueName>(
    queue: Q,
    payload: JobPayloadInput<Q>,
    options?: EnqueueOptions,
  ): Promise<EnqueueResult>;
  /** Resolves once the consumer is ready to receive jobs. */
  consume<Q extends QueueName>(
    queue: Q,
    processor: JobProcessor<Q>,
    options?: ConsumeOptions,
  ): Promise<Consumer>;
  /** A job while it is pending or retained after finishing; `undefined` when unknown or evicted. */
  getJob(queue: QueueName, jobId: string): Promise<JobSnapshot | undefined>;
  /** Throws when the backing store does not answer within `timeoutMs` (default 5 000 ms). */
  ping(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Calls `listener` each time the connection to the backing store comes back after a loss (not on
   * the first connect): jobs enqueued meanwhile may be lost, so owners of the truth re-enqueue.
   * Returns an unsubscribe function. The inline driver never reconnects.
   */
  onReconnect?(listener: () => void): () => void;
  /** Closes every consumer (waiting for active jobs, see `CloseOptions`), then the connections it owns. */
  close(options?: CloseOptions): Promise<CloseResult>;
}

export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
/** After aborting, how long processors get to notice the signal before they are abandoned. */
export const ABORT_GRACE_MS = 1_000;
