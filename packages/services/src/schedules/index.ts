export { cronProblem, nextScheduleTick } from './cron';
export {
  type FireScheduleTickDeps,
  type FireScheduleTickOutcome,
  fireScheduleTick,
  type ScheduleLogger,
  type ScheduleTick,
  type SkipReason,
  scheduleIdempotencyKey,
} from './fire';
export { type ActiveSchedule, listActiveSchedules } from './list';
export { syncAgentSchedule } from './sync';
