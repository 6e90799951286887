import type { EventBus } from './events';
import { MemoryEventBus } from './events/memory-event-bus';
import { RedisEventBus } from './events/redis-event-bus';
import type { QueueLogger } from './logger';

export interface CreateEventBusOptions {
  /** Set: Redis pub/sub. Unset: in-process bus (embedded mode, one process). */
  redisUrl?: string | undefined;
  logger?: QueueLogger | undefined;
}

export function createEventBus(options: CreateEventBusOptions = {}): EventBus {
  const logger = options.logger ? { logger: options.logger } : {};
  if (!options.redisUrl) return new MemoryEventBus(logger);
  return new RedisEventBus({ redisUrl: options.redisUrl, ...logger });
}
