import type { Job } from 'bullmq';

/**
 * The nominal time of the tick a BullMQ job scheduler produced `job` for, or undefined for any other
 * job. Job schedulers create each job as `repeat:{schedulerId}:{tickMs}` (also in `opts.prevMillis`);
 * its `timestamp` is when it was created and its `delay` is reset to 0 once it is promoted, so neither
 * says when the tick was due.
 */
export function schedulerTickOf(job: Pick<Job, 'id' | 'repeatJobKey' | 'opts'>): Date | undefined {
  if (!job.repeatJobKey || !job.id) return undefined;
  const prefix = `repeat:${job.repeatJobKey}:`;
  const fromId = job.id.startsWith(prefix) ? Number(job.id.slice(prefix.length)) : Number.NaN;
  const millis = Number.isSafeInteger(fromId) ? fromId : job.opts.prevMillis;
  return typeof millis === 'number' && Number.isSafeInteger(millis) ? new Date(millis) : undefined;
}

/**
 * A job scheduler's jobs all carry its template data (`agent_id`, `org_id`); the tick they stand for
 * is added here as `scheduled_for` before the payload is validated, so the processor gets the same
 * payload as from an explicit `enqueue('schedules', ...)`.
 */
export function withSchedulerTick(job: Pick<Job, 'id' | 'repeatJobKey' | 'opts' | 'data'>): unknown {
  const tick = schedulerTickOf(job);
  const data = job.data as Record<string, unknown> | null;
  if (!tick || typeof data !== 'object' || data === null || 'scheduled_for' in data) return job.data;
  return { ...data, scheduled_for: tick.toISOString() };
}
