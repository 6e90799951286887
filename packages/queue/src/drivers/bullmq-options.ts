import type { DefaultJobOptions, WorkerOptions } from 'bullmq';
import type { DeliveryPolicy, Retention } from '../registry';

function keep(retention: Retention) {
  return { age: retention.ageSeconds, count: retention.count };
}

/**
 * Job defaults set on the Queue (producer side). `attempts: 1`: BullMQ never retries on its own;
 * whether a failed run is retried is a decision for the service that owns the Postgres row.
 */
export function jobOptions(policy: DeliveryPolicy): DefaultJobOptions {
  return {
    attempts: 1,
    removeOnComplete: keep(policy.keepCompleted),
    removeOnFail: keep(policy.keepFailed),
  };
}

/**
 * Worker settings. Retention is repeated here because job-level options win, but jobs written by a
 * foreign producer may lack them. `maxStalledCount: 0` fails a job whose worker died instead of
 * handing it to another worker: the Postgres lease reaper decides about the run, not BullMQ.
 * Lock duration stays at BullMQ's 30 s default: a job stalls only if the event loop is blocked for
 * that long or the process died.
 */
export function workerOptions(
  policy: DeliveryPolicy,
): Pick<WorkerOptions, 'maxStalledCount' | 'removeOnComplete' | 'removeOnFail'> {
  return {
    maxStalledCount: policy.maxStalledCount,
    removeOnComplete: keep(policy.keepCompleted),
    removeOnFail: keep(policy.keepFailed),
  };
}
