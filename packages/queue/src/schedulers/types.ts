import type { QueueLogger } from '../logger';

/** One schedule that should tick. */
export interface ScheduleSpec {
  agentId: string;
  orgId: string;
  /** Five cron fields, or six with leading seconds. */
  cron: string;
  /** IANA zone the cron is read in. */
  timezone: string;
}

/** What one `sync` changed (agent ids), and how many schedules were already right. */
export interface ScheduleSyncResult {
  created: string[];
  updated: string[];
  removed: string[];
  unchanged: number;
}

export interface ScheduleDriver {
  readonly kind: 'bullmq' | 'timer';
  /**
   * Makes the running schedules exactly `specs`: creates the missing ones, updates those whose cron or
   * zone changed, removes the rest. Idempotent, and safe to run from several processes at once.
   */
  sync(specs: readonly ScheduleSpec[]): Promise<ScheduleSyncResult>;
  /** Stops local timers. BullMQ job schedulers live on in Redis (other workers keep them ticking). */
  close(): Promise<void>;
}

/** Bus channel the API publishes on after an agent's lifecycle changed: reconcile now, not in 10 s. */
export const SCHEDULES_CHANGED_CHANNEL = 'schedules:changed';

/** Id of an agent's BullMQ job scheduler. */
export function scheduleSchedulerId(agentId: string): string {
  return `agent:${agentId}`;
}

export interface ScheduleLogger extends QueueLogger {
  info?(details: object, message: string): void;
}
