import type { z } from 'zod';

/** Formats zod issues as `field.path: message; ...` so logs and HTTP errors name the failing field. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return `${path || '(payload)'}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * A job payload that does not match its queue's schema. Thrown by `enqueue` (nothing is enqueued) and
 * by consumers (the job fails without reaching the processor).
 */
export class InvalidJobPayloadError extends Error {
  override readonly name = 'InvalidJobPayloadError';
  readonly queue: string;
  readonly jobId: string | undefined;
  /** Dotted field paths that failed, e.g. `['execution_id']`; `''` means the payload itself. */
  readonly fields: string[];
  readonly issues: readonly z.core.$ZodIssue[];

  constructor(queue: string, issues: readonly z.core.$ZodIssue[], jobId?: string) {
    const where = jobId === undefined ? `queue "${queue}"` : `queue "${queue}" (job ${jobId})`;
    super(`Invalid job payload for ${where}: ${describeIssues(issues)}`);
    this.queue = queue;
    this.jobId = jobId;
    this.issues = issues;
    this.fields = issues.map((issue) => issue.path.map(String).join('.'));
  }
}

/** A custom job id BullMQ would reject or misread; checked for both drivers so they behave alike. */
export class InvalidJobIdError extends Error {
  override readonly name = 'InvalidJobIdError';
  constructor(
    readonly queue: string,
    readonly jobId: string,
    reason: string,
  ) {
    super(`Invalid job id "${jobId}" for queue "${queue}": ${reason}`);
  }
}

export class UnknownQueueError extends Error {
  override readonly name = 'UnknownQueueError';
  constructor(readonly queue: string) {
    super(`Unknown queue "${queue}": it is not in the queue registry`);
  }
}

export class QueueClosedError extends Error {
  override readonly name = 'QueueClosedError';
  constructor(what: string) {
    super(`${what}: the queue driver is closed`);
  }
}

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}
