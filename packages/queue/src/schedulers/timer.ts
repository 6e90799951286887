import type { QueueDriver } from '../driver';
import { toError } from '../util/async';
import { nextTickMillis } from './cron';
import type { ScheduleDriver, ScheduleLogger, ScheduleSpec, ScheduleSyncResult } from './types';

/** setTimeout's ceiling (~24.8 days); a later tick is reached in several hops. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface Entry {
  spec: ScheduleSpec;
  /** Epoch ms of the tick the timer waits for. */
  next: number;
  timer?: NodeJS.Timeout;
}

/**
 * In-process schedules (embedded mode): one timer per schedule, computing ticks with the same
 * cron-parser BullMQ uses, and enqueueing each tick into the queue driver as
 * `{ agent_id, org_id, scheduled_for }` (default job id `agentId.tickMs`, so a tick enqueued twice is
 * one job). Like BullMQ, a tick missed while the process was busy or down is not replayed: the next
 * tick is computed from the later of the tick and now. Timers are unref'd: they never keep a process
 * alive on their own.
 */
export class TimerScheduleDriver implements ScheduleDriver {
  readonly kind = 'timer' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly queue: QueueDriver,
    private readonly options: { logger: ScheduleLogger },
  ) {}

  async sync(specs: readonly ScheduleSpec[]): Promise<ScheduleSyncResult> {
    const result: ScheduleSyncResult = { created: [], updated: [], removed: [], unchanged: 0 };
    if (this.closed) return result;
    const wanted = new Set<string>();
    for (const spec of specs) {
      wanted.add(spec.agentId);
      const current = this.entries.get(spec.agentId);
      if (
        current &&
        current.spec.cron === spec.cron &&
        current.spec.timezone === spec.timezone &&
        current.spec.orgId === spec.orgId
      ) {
        result.unchanged += 1;
        continue;
      }
      if (current) clearTimeout(current.timer);
      const entry: Entry = { spec: { ...spec }, next: 0 };
      if (!this.advance(entry, Date.now())) {
        this.entries.delete(spec.agentId);
        continue;
      }
      this.entries.set(spec.agentId, entry);
      (current ? result.updated : result.created).push(spec.agentId);
    }
    for (const [agentId, entry] of this.entries) {
      if (wanted.has(agentId)) continue;
      clearTimeout(entry.timer);
      this.entries.delete(agentId);
      result.removed.push(agentId);
    }
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Points `entry` at its first tick after `afterMs` and arms the timer; false when the cron is unusable. */
  private advance(entry: Entry, afterMs: number): boolean {
    try {
      entry.next = nextTickMillis(entry.spec.cron, entry.spec.timezone, afterMs);
    } catch (error) {
      this.options.logger.error(
        {
          err: toError(error),
          agentId: entry.spec.agentId,
          cron: entry.spec.cron,
          timezone: entry.spec.timezone,
        },
        'schedule has no usable next tick; not scheduled',
      );
      return false;
    }
    this.arm(entry);
    return true;
  }

  private arm(entry: Entry): void {
    const delay = Math.min(Math.max(entry.next - Date.now(), 0), MAX_TIMEOUT_MS);
    entry.timer = setTimeout(() => this.onTimer(entry), delay);
    entry.timer.unref();
  }

  private onTimer(entry: Entry): void {
    // Removed or replaced since this timer was armed.
    if (this.closed || this.entries.get(entry.spec.agentId) !== entry) return;
    const now = Date.now();
    if (now < entry.next) {
      this.arm(entry); // a hop of a far tick, or a timer that woke early
      return;
    }
    const tick = entry.next;
    this.advance(entry, Math.max(tick, now));
    const fired = this.fire(entry.spec, tick);
    this.inFlight.add(fired);
    void fired.finally(() => this.inFlight.delete(fired));
  }

  private async fire(spec: ScheduleSpec, tick: number): Promise<void> {
    try {
      await this.queue.enqueue('schedules', {
        agent_id: spec.agentId,
        org_id: spec.orgId,
        scheduled_for: new Date(tick).toISOString(),
      });
    } catch (error) {
      this.options.logger.error(
        { err: toError(error), agentId: spec.agentId, scheduledFor: new Date(tick).toISOString() },
        'enqueueing a schedule tick failed; the tick is lost',
      );
    }
  }
}
