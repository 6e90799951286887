/** Receives messages in publish order. Throwing does not affect other handlers or later messages. */
export type MessageHandler = (message: string, channel: string) => void;

/** Stops delivery to the handler it came from. Idempotent. */
export type Unsubscribe = () => Promise<void>;

/**
 * Fire-and-forget fan-out between processes (worker -> every API instance). Delivery is at most once:
 * a subscriber that is disconnected misses messages, so anything a client must not lose is stored
 * first (execution_events) and replayed by sequence number; the bus only makes it live.
 * Messages are strings so the WebSocket layer can forward them without re-serializing.
 */
export interface EventBus {
  readonly kind: 'redis' | 'memory';
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once messages published afterwards are guaranteed to reach `handler`. */
  subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe>;
  close(): Promise<void>;
}

export const EXECUTION_CHANNEL_PREFIX = 'execution:';

/** The pub/sub channel of one execution's live events. */
export function executionChannel(executionId: string): string {
  return `${EXECUTION_CHANNEL_PREFIX}${executionId}`;
}
