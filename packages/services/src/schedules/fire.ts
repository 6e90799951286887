import { isAppError } from '@agentflow/contracts';
import { type Db, withOrg } from '@agentflow/db';
import { agentSchedules, agents } from '@agentflow/db/schema';
import { and, eq, sql } from 'drizzle-orm';
import type { ServiceContext } from '../context';
import { type ExecutionQueue, startExecution } from '../executions/start';
import { nextScheduleTick } from './cron';

/** A `schedules` job payload: which agent, and the tick's nominal time (not when it was delivered). */
export interface ScheduleTick {
  agent_id: string;
  org_id: string;
  /** ISO 8601 with offset. */
  scheduled_for: string;
}

export interface ScheduleLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface FireScheduleTickDeps {
  /** Where the started execution is enqueued (job id = execution id). */
  queue: ExecutionQueue;
  logger?: ScheduleLogger | undefined;
}

export type SkipReason =
  /** No schedule row (the agent is no longer schedule-triggered, archived, or another org's). */
  | 'schedule_missing'
  /** The row is paused (`is_active` false): the agent was paused and the scheduler not yet removed. */
  | 'schedule_paused'
  /** The agent cannot run (not active, archived, unpublished) although the row says active. */
  | 'agent_not_active'
  /** The agent's concurrency_limit is reached: this tick is dropped, the next one tries again. */
  | 'concurrency_limit';

export type FireScheduleTickOutcome =
  | { status: 'started'; executionId: string; idempotencyKey: string }
  | { status: 'skipped'; reason: SkipReason };

/** The key that makes one tick one execution, whichever process (or how many) fired it. */
export function scheduleIdempotencyKey(agentId: string, scheduledFor: string | Date): string {
  return `schedule:${agentId}:${new Date(scheduledFor).toISOString()}`;
}

/** Codes of `startExecution` that mean "this agent cannot run now", not "something broke". */
const notRunnable = new Set(['AGENT_NOT_FOUND', 'AGENT_ARCHIVED', 'AGENT_NOT_PUBLISHED', 'AGENT_NOT_ACTIVE']);

/**
 * Starts the execution of one schedule tick (`triggered_by` 'schedule', trigger data = the
 * schedule's `data` plus `scheduled_for`). The idempotency key `schedule:{agent}:{tick ISO}` makes it
 * exactly once per tick: concurrent or repeated deliveries of the same tick (several schedulers, a
 * re-delivered job) return the execution the first one created.
 *
 * A tick of a missing or paused schedule, or of an agent that cannot run, is skipped with a log line;
 * so is a tick refused by the concurrency limit (dropped, not retried: the next tick will try again).
 * Anything else (database down) throws, and the job fails. `last_tick_at` / `next_run_at` are updated
 * for every tick of an active schedule.
 */
export async function fireScheduleTick(
  db: Db,
  tick: ScheduleTick,
  deps: FireScheduleTickDeps,
): Promise<FireScheduleTickOutcome> {
  const scheduledFor = new Date(tick.scheduled_for);
  const log = { agentId: tick.agent_id, orgId: tick.org_id, scheduledFor: scheduledFor.toISOString() };
  const skip = (reason: SkipReason, extra: object = {}): FireScheduleTickOutcome => {
    deps.logger?.info({ ...log, reason, ...extra }, 'schedule tick skipped');
    return { status: 'skipped', reason };
  };

  const schedule = await withOrg(db, tick.org_id, async (tx) => {
    const [row] = await tx
      .select({
        cron: agentSchedules.cron,
        timezone: agentSchedules.timezone,
        data: agentSchedules.data,
        isActive: agentSchedules.isActive,
        agentStatus: agents.status,
      })
      .from(agentSchedules)
      .innerJoin(agents, eq(agents.id, agentSchedules.agentId))
      .where(and(eq(agentSchedules.orgId, tick.org_id), eq(agentSchedules.agentId, tick.agent_id)))
      .limit(1);
    return row;
  });
  if (!schedule) return skip('schedule_missing');
  if (!schedule.isActive) return skip('schedule_paused');
  if (schedule.agentStatus !== 'active') return skip('agent_not_active', { status: schedule.agentStatus });

  const ctx: ServiceContext = {
    db,
    orgId: tick.org_id,
    actor: { type: 'system', reason: `schedule tick of agent ${tick.agent_id}` },
  };
  const idempotencyKey = scheduleIdempotencyKey(tick.agent_id, scheduledFor);
  let outcome: FireScheduleTickOutcome;
  try {
    const started = await startExecution(
      ctx,
      {
        agentId: tick.agent_id,
        triggerData: { ...schedule.data, scheduled_for: scheduledFor.toISOString() },
        triggeredBy: 'schedule',
        idempotencyKey,
      },
      { queue: deps.queue },
    );
    outcome = { status: 'started', executionId: started.execution_id, idempotencyKey };
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.code === 'CONCURRENCY_LIMIT_EXCEEDED') {
      deps.logger?.warn(
        { ...log, details: error.details },
        'schedule tick dropped: concurrency limit reached',
      );
      outcome = { status: 'skipped', reason: 'concurrency_limit' };
    } else if (notRunnable.has(error.code)) {
      return skip('agent_not_active', { code: error.code });
    } else {
      throw error;
    }
  }

  await recordTick(db, tick, scheduledFor, schedule);
  return outcome;
}

/** last_tick_at only moves forward (a late duplicate never rewinds it); next_run_at is the next tick. */
async function recordTick(
  db: Db,
  tick: ScheduleTick,
  scheduledFor: Date,
  schedule: { cron: string; timezone: string },
): Promise<void> {
  const after = new Date(Math.max(scheduledFor.getTime(), Date.now()));
  const next = nextScheduleTick(schedule.cron, schedule.timezone, after);
  await withOrg(db, tick.org_id, (tx) =>
    tx
      .update(agentSchedules)
      .set({
        lastTickAt: sql`greatest(${agentSchedules.lastTickAt}, ${scheduledFor.toISOString()}::timestamptz)`,
        nextRunAt: next,
        updatedAt: new Date(),
      })
      .where(and(eq(agentSchedules.orgId, tick.org_id), eq(agentSchedules.agentId, tick.agent_id))),
  );
}
