import { isValidTimeZone } from '@agentflow/contracts';
import { CronExpressionParser } from 'cron-parser';

/**
 * Strict cron parsing for schedule triggers, with the `cron-parser` version BullMQ's job schedulers
 * use (5.10.x), so the next tick computed here is the tick BullMQ (or the in-process timer of
 * `@agentflow/queue`, same library) fires. Five fields, or six with leading seconds; read in `timezone`.
 */

/** Why `cron` / `timezone` cannot be scheduled, or `undefined` when they can. */
export function cronProblem(cron: string, timezone: string): string | undefined {
  if (!isValidTimeZone(timezone)) return `Unknown time zone "${timezone}"`;
  try {
    // next() throws when no date ever matches (e.g. a weekday-restricted L that cannot occur).
    CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date() }).next();
    return undefined;
  } catch (error) {
    return `Invalid cron expression "${cron}": ${(error as Error).message}`;
  }
}

/** The first tick strictly after `after`. Throws on an expression `cronProblem` would refuse. */
export function nextScheduleTick(cron: string, timezone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { tz: timezone, currentDate: after }).next().toDate();
}
