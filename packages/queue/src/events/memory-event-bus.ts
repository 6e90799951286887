import { QueueClosedError } from '../errors';
import type { EventBus, MessageHandler, Unsubscribe } from '../events';
import { consoleLogger, type QueueLogger } from '../logger';
import { deliver, type HandlerErrorReporter, type Registration } from './handlers';

export interface MemoryEventBusOptions {
  logger?: QueueLogger;
  onHandlerError?: HandlerErrorReporter;
}

/**
 * In-process bus for the embedded mode. Delivery is asynchronous (a microtask per publish, so order
 * is kept) because Redis delivery is too: code that works here must not rely on a handler having run
 * by the time `publish` returns.
 */
export class MemoryEventBus implements EventBus {
  readonly kind = 'memory' as const;
  private readonly channels = new Map<string, Set<Registration>>();
  private closed = false;
  private readonly onHandlerError: HandlerErrorReporter;

  constructor(options: MemoryEventBusOptions = {}) {
    const logger = options.logger ?? consoleLogger;
    this.onHandlerError =
      options.onHandlerError ?? ((err, channel) => logger.error({ err, channel }, 'event handler failed'));
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.closed) throw new QueueClosedError(`publish to "${channel}"`);
    const registrations = this.channels.get(channel);
    if (!registrations || registrations.size === 0) return;
    // Snapshot: a handler subscribing during delivery must not receive this message.
    const snapshot = [...registrations];
    queueMicrotask(() => {
      if (this.closed) return;
      // A registration removed after publishing no longer receives it, as with Redis UNSUBSCRIBE.
      deliver(
        snapshot.filter((r) => registrations.has(r)),
        message,
        channel,
        this.onHandlerError,
      );
    });
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe> {
    if (this.closed) throw new QueueClosedError(`subscribe to "${channel}"`);
    let registrations = this.channels.get(channel);
    if (!registrations) {
      registrations = new Set();
      this.channels.set(channel, registrations);
    }
    const registration: Registration = { handler };
    registrations.add(registration);
    return async () => {
      registrations.delete(registration);
      if (registrations.size === 0 && this.channels.get(channel) === registrations) {
        this.channels.delete(channel);
      }
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
  }
}
