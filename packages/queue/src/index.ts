export type { CreateEventBusOptions } from './create-event-bus';
export { createEventBus } from './create-event-bus';
export type { CreateQueueDriverOptions } from './create-queue-driver';
export { createQueueDriver } from './create-queue-driver';
export type {
  CloseOptions,
  CloseResult,
  ConsumeListener,
  ConsumeOptions,
  Consumer,
  EnqueueOptions,
  EnqueueResult,
  JobContext,
  JobProcessor,
  JobRef,
  JobSnapshot,
  JobState,
  QueueDriver,
} from './driver';
export { ABORT_GRACE_MS, DEFAULT_CLOSE_TIMEOUT_MS } from './driver';
export type { BullmqDriverOptions } from './drivers/bullmq';
export { BullmqQueueDriver, DEFAULT_QUEUE_PREFIX } from './drivers/bullmq';
export { InlineQueueDriver } from './drivers/inline';
export {
  InvalidJobIdError,
  InvalidJobPayloadError,
  QueueClosedError,
  RedisUnavailableError,
  UnknownQueueError,
} from './errors';
export type { EventBus, MessageHandler, Unsubscribe } from './events';
export { EXECUTION_CHANNEL_PREFIX, executionChannel } from './events';
export type { MemoryEventBusOptions } from './events/memory-event-bus';
export { MemoryEventBus } from './events/memory-event-bus';
export type { RedisEventBusOptions } from './events/redis-event-bus';
export { RedisEventBus } from './events/redis-event-bus';
export type { QueueLogger } from './logger';
export { parsePayload } from './payload';
export type { CreateRedisOptions, RedisRole } from './redis';
export { assertRedisUrl, checkRedis, closeRedis, createRedis, redactRedisUrl } from './redis';
export type {
  DeliveryPolicy,
  JobPayload,
  JobPayloadInput,
  QueueDefinition,
  QueueName,
  Queues,
  Retention,
} from './registry';
export {
  DEFAULT_POLICY,
  executionJobId,
  executionJobSchema,
  ingestionJobSchema,
  isQueueName,
  queueNames,
  queues,
  scheduleJobSchema,
  scheduleTickJobId,
  usageRollupJobSchema,
} from './registry';
export type {
  ScheduleDriver,
  ScheduleLogger,
  ScheduleReconciler,
  ScheduleReconcilerOptions,
  ScheduleSpec,
  ScheduleSyncResult,
} from './scheduler';
export {
  createScheduleDriver,
  SCHEDULES_CHANGED_CHANNEL,
  scheduleSchedulerId,
  startScheduleReconciler,
} from './scheduler';
export { BullmqScheduleDriver } from './schedulers/bullmq';
export { nextTickMillis } from './schedulers/cron';
export { schedulerTickOf } from './schedulers/tick';
export { TimerScheduleDriver } from './schedulers/timer';
