import type { Queue } from 'bullmq';
import { toError } from '../util/async';
import {
  type ScheduleDriver,
  type ScheduleLogger,
  type ScheduleSpec,
  type ScheduleSyncResult,
  scheduleSchedulerId,
} from './types';

const ID_PREFIX = scheduleSchedulerId('');

/**
 * One BullMQ job scheduler per agent on the `schedules` queue (id `agent:{agentId}`, `{ pattern, tz }`,
 * template data `{ agent_id, org_id }`). BullMQ keeps exactly one delayed job per scheduler, creates
 * the next one when a worker takes the current one, and names each `repeat:agent:{id}:{tickMs}`: the
 * BullMQ driver turns that into the payload's `scheduled_for`.
 *
 * `sync` only writes what differs from Redis: an upsert replaces the scheduler's pending job, so
 * upserting unchanged schedulers on every pass would churn Redis (and could race a tick being
 * promoted). Schedulers under other ids are never touched. One schedule BullMQ refuses (a pattern it
 * cannot parse) is logged and skipped; it never blocks the others.
 */
export class BullmqScheduleDriver implements ScheduleDriver {
  readonly kind = 'bullmq' as const;

  constructor(
    private readonly queue: Queue,
    private readonly options: { logger: ScheduleLogger },
  ) {}

  async sync(specs: readonly ScheduleSpec[]): Promise<ScheduleSyncResult> {
    const existing = new Map(
      (await this.queue.getJobSchedulers(0, -1))
        .filter((scheduler) => scheduler.key.startsWith(ID_PREFIX))
        .map((scheduler) => [scheduler.key, scheduler]),
    );
    const result: ScheduleSyncResult = { created: [], updated: [], removed: [], unchanged: 0 };
    const wanted = new Set<string>();
    for (const spec of specs) {
      const id = scheduleSchedulerId(spec.agentId);
      wanted.add(id);
      const current = existing.get(id);
      const data = { agent_id: spec.agentId, org_id: spec.orgId };
      if (
        current &&
        current.pattern === spec.cron &&
        (current.tz ?? 'UTC') === spec.timezone &&
        current.template?.data?.org_id === spec.orgId &&
        current.template?.data?.agent_id === spec.agentId
      ) {
        result.unchanged += 1;
        continue;
      }
      try {
        await this.queue.upsertJobScheduler(
          id,
          { pattern: spec.cron, tz: spec.timezone },
          { name: 'schedules', data },
        );
      } catch (error) {
        this.options.logger.error(
          { err: toError(error), agentId: spec.agentId, cron: spec.cron, timezone: spec.timezone },
          'creating the job scheduler of a schedule failed; retrying at the next reconcile',
        );
        continue;
      }
      (current ? result.updated : result.created).push(spec.agentId);
    }
    for (const id of existing.keys()) {
      if (wanted.has(id)) continue;
      // Also deletes the scheduler's pending (delayed) job, so a paused agent gets no further tick.
      await this.queue.removeJobScheduler(id);
      result.removed.push(id.slice(ID_PREFIX.length));
    }
    return result;
  }

  async close(): Promise<void> {
    // The Queue belongs to the BullMQ queue driver, which closes it.
  }
}
