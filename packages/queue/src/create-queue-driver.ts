import type { QueueDriver } from './driver';
import { BullmqQueueDriver } from './drivers/bullmq';
import { InlineQueueDriver } from './drivers/inline';
import type { QueueLogger } from './logger';

export interface CreateQueueDriverOptions {
  /** Set: BullMQ on this Redis. Unset: the in-process inline driver (embedded mode). */
  redisUrl?: string | undefined;
  /** Redis key prefix (BullMQ driver only). */
  prefix?: string | undefined;
  logger?: QueueLogger | undefined;
}

export function createQueueDriver(options: CreateQueueDriverOptions = {}): QueueDriver {
  if (!options.redisUrl) return new InlineQueueDriver();
  return new BullmqQueueDriver({
    redisUrl: options.redisUrl,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
