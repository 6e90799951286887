import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { JobSnapshot, JobState, QueueDriver } from '../driver';
import type { QueueName } from '../registry';

/** Why Redis-backed suites are skipped, printed in their title so a skip is never mistaken for a pass. */
export const REDIS_SKIP_REASON = 'skipped: REDIS_URL is not set (run with REDIS_URL=redis://127.0.0.1:6379)';

/** A Redis key prefix no other test run shares, so parallel runs and leftovers cannot collide. */
export function uniquePrefix(label = 'test'): string {
  return `af-${label}-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under `prefix:` (SCAN, never KEYS, so a shared Redis is not blocked). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 5_000, intervalMs = 20, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function waitForJobState(
  driver: QueueDriver,
  queue: QueueName,
  jobId: string,
  state: JobState,
  timeoutMs = 5_000,
): Promise<JobSnapshot> {
  return waitFor(
    async () => {
      const job = await driver.getJob(queue, jobId);
      return job?.state === state ? job : undefined;
    },
    { timeoutMs, what: `${queue} job ${jobId} to be ${state}` },
  );
}
