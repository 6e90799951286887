import { CronExpressionParser } from 'cron-parser';

/**
 * The first tick of `cron` (five fields, or six with leading seconds) read in `timezone` strictly after
 * `afterMs`. Same library and version as BullMQ's job schedulers (cron-parser 5.10.x), so the
 * in-process timer fires the ticks BullMQ would.
 */
export function nextTickMillis(cron: string, timezone: string, afterMs: number): number {
  return CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date(afterMs) })
    .next()
    .getTime();
}
