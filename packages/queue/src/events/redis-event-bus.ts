import type { Redis } from 'ioredis';
import { QueueClosedError } from '../errors';
import type { EventBus, MessageHandler, Unsubscribe } from '../events';
import { consoleLogger, type QueueLogger } from '../logger';
import { closeRedis, createRedis } from '../redis';
import { deliver, type HandlerErrorReporter, type Registration } from './handlers';

export interface RedisEventBusOptions {
  redisUrl: string;
  /** Prefix of the two connections' CLIENT names (`<name>:pub`, `<name>:sub`). */
  connectionName?: string;
  logger?: QueueLogger;
  onHandlerError?: HandlerErrorReporter;
}

/**
 * Redis pub/sub. Two connections: a connection that has subscribed is in subscriber mode (under RESP2
 * it may then only (un)subscribe), and publishing on a separate one also keeps a burst of publishes
 * from queueing behind incoming messages. One SUBSCRIBE per channel however many local handlers;
 * ioredis re-issues the subscriptions after a reconnect (`autoResubscribe`, on by default).
 */
export class RedisEventBus implements EventBus {
  readonly kind = 'redis' as const;
  readonly connectionName: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channels = new Map<string, Set<Registration>>();
  /** Channels this bus has SUBSCRIBEd to (ioredis keeps them across reconnects). */
  private readonly subscribed = new Set<string>();
  /** Per-channel chain of SUBSCRIBE/UNSUBSCRIBE calls, so racing (un)subscribes settle in order. */
  private readonly pending = new Map<string, Promise<void>>();
  private readonly onHandlerError: HandlerErrorReporter;
  private closing: Promise<void> | undefined;

  constructor(options: RedisEventBusOptions) {
    const logger = options.logger ?? consoleLogger;
    this.connectionName = options.connectionName ?? 'agentflow:events';
    this.onHandlerError =
      options.onHandlerError ?? ((err, channel) => logger.error({ err, channel }, 'event handler failed'));
    this.publisher = createRedis(options.redisUrl, {
      role: 'producer',
      connectionName: `${this.connectionName}:pub`,
      // A run publishes a committed batch's events all at once: one socket write, not one each
      // (socket writes are a large share of the worker's CPU, bench:executions profile).
      autoPipelining: true,
      onError: (err) => logger.warn({ err }, 'redis event publisher connection error'),
    });
    this.subscriber = createRedis(options.redisUrl, {
      role: 'subscriber',
      connectionName: `${this.connectionName}:sub`,
      onError: (err) => logger.warn({ err }, 'redis event subscriber connection error'),
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      const registrations = this.channels.get(channel);
      if (registrations) deliver([...registrations], message, channel, this.onHandlerError);
    });
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.closing) throw new QueueClosedError(`publish to "${channel}"`);
    await this.publisher.publish(channel, message);
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe> {
    if (this.closing) throw new QueueClosedError(`subscribe to "${channel}"`);
    let registrations = this.channels.get(channel);
    if (!registrations) {
      registrations = new Set();
      this.channels.set(channel, registrations);
    }
    const registration: Registration = { handler };
    registrations.add(registration);
    const remove = () => {
      registrations.delete(registration);
      if (registrations.size === 0 && this.channels.get(channel) === registrations) {
        this.channels.delete(channel);
      }
    };
    try {
      await this.sync(channel);
    } catch (error) {
      remove();
      throw error;
    }
    let unsubscribed: Promise<void> | undefined;
    return () => {
      unsubscribed ??= (async () => {
        remove();
        if (!this.closing) await this.sync(channel);
      })();
      return unsubscribed;
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.channels.clear();
      await Promise.allSettled(this.pending.values());
      await Promise.all([closeRedis(this.subscriber), closeRedis(this.publisher)]);
    })();
    return this.closing;
  }

  /** Brings the server-side subscription of `channel` in line with whether anyone listens locally. */
  private sync(channel: string): Promise<void> {
    const previous = this.pending.get(channel) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(async () => {
        const wanted = (this.channels.get(channel)?.size ?? 0) > 0;
        if (wanted && !this.subscribed.has(channel)) {
          await this.subscriber.subscribe(channel);
          this.subscribed.add(channel);
        } else if (!wanted && this.subscribed.has(channel)) {
          this.subscribed.delete(channel);
          await this.subscriber.unsubscribe(channel);
        }
      });
    this.pending.set(channel, next);
    next
      .finally(() => {
        if (this.pending.get(channel) === next) this.pending.delete(channel);
      })
      .catch(() => {});
    return next;
  }
}
