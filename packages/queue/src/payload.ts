import { randomUUID } from 'node:crypto';
import { InvalidJobIdError, InvalidJobPayloadError, UnknownQueueError } from './errors';
import { isQueueName, type JobPayload, type QueueDefinition, type QueueName, queues } from './registry';

export function getQueueDefinition(queue: string): QueueDefinition {
  // Runtime guard: TypeScript callers cannot get here with a bad name, but job data and JS callers can.
  if (!isQueueName(queue)) throw new UnknownQueueError(queue);
  return queues[queue] as unknown as QueueDefinition;
}

/**
 * Validates a payload against its queue's schema. Used on enqueue (nothing is enqueued on failure) and
 * again on consume (the job fails before the processor sees it), because Redis may hold jobs written by
 * an older or foreign producer.
 */
export function parsePayload<Q extends QueueName>(queue: Q, payload: unknown, jobId?: string): JobPayload<Q> {
  const result = getQueueDefinition(queue).payload.safeParse(payload);
  if (!result.success) throw new InvalidJobPayloadError(queue, result.error.issues, jobId);
  return result.data as JobPayload<Q>;
}

const MAX_JOB_ID_LENGTH = 256;

/**
 * BullMQ treats integer-looking ids as its own counters and reserves `:` for key separators, so such
 * ids are rejected for every driver: a job id that works inline must also work in production.
 */
export function assertValidJobId(queue: string, jobId: string): void {
  if (jobId.length === 0) throw new InvalidJobIdError(queue, jobId, 'must not be empty');
  if (jobId.length > MAX_JOB_ID_LENGTH) {
    throw new InvalidJobIdError(queue, jobId, `must be at most ${MAX_JOB_ID_LENGTH} characters`);
  }
  if (jobId.includes(':')) throw new InvalidJobIdError(queue, jobId, 'must not contain ":"');
  if (`${Number.parseInt(jobId, 10)}` === jobId) {
    throw new InvalidJobIdError(queue, jobId, 'must not be an integer');
  }
}

/** Explicit id > the queue's deterministic default > a fresh UUID (so ids look alike in every driver). */
export function resolveJobId<Q extends QueueName>(
  queue: Q,
  payload: JobPayload<Q>,
  explicit: string | undefined,
): string {
  const definition = getQueueDefinition(queue);
  const jobId = explicit ?? definition.defaultJobId?.(payload) ?? randomUUID();
  assertValidJobId(queue, jobId);
  return jobId;
}

export function assertValidDelay(queue: string, delayMs: number | undefined): void {
  if (delayMs === undefined) return;
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new RangeError(`Invalid delayMs ${delayMs} for queue "${queue}": must be a finite number >= 0`);
  }
}
