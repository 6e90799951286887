/**
 * Watches every execution's events on Redis (`PSUBSCRIBE execution:*`, the channels the worker
 * publishes each stored event on) to learn when a run ended without polling Postgres, and, when
 * asked, when each event reached a Redis subscriber (the stream latency breakdown).
 */
import { Redis } from 'ioredis';
import { nowMs } from './report';

const PREFIX = 'execution:';
const TERMINAL = [
  '"type":"execution.completed"',
  '"type":"execution.failed"',
  '"type":"execution.cancelled"',
];

export interface Ended {
  status: string;
  /** Bench clock (ms) when the terminal event arrived here. */
  at: number;
}

export class ExecutionWatcher {
  private readonly redis: Redis;
  private readonly ended = new Map<string, Ended>();
  private readonly waiters = new Map<string, (e: Ended) => void>();
  /** `${executionId}:${seq}` -> arrival (ms), only while `recordArrivals` is on. */
  readonly arrivals = new Map<string, number>();
  recordArrivals = false;

  constructor(redisUrl: string) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('pmessage', (_pattern: string, channel: string, message: string) => {
      const at = nowMs();
      const id = channel.slice(PREFIX.length);
      if (this.recordArrivals) {
        const seq = /"seq":(\d+)/.exec(message)?.[1];
        if (seq) this.arrivals.set(`${id}:${seq}`, at);
      }
      // Cheap test first: most messages are step events, parsed only when terminal.
      if (!TERMINAL.some((t) => message.includes(t))) return;
      const { type } = JSON.parse(message) as { type: string };
      const ended = { status: type.slice('execution.'.length), at };
      this.ended.set(id, ended);
      const waiter = this.waiters.get(id);
      if (waiter) {
        this.waiters.delete(id);
        waiter(ended);
      }
    });
  }

  async start(): Promise<void> {
    await this.redis.psubscribe(`${PREFIX}*`);
  }

  /** Resolves when `id` ended (at once if it already did); rejects after `timeoutMs`. */
  waitFor(id: string, timeoutMs = 60_000): Promise<Ended> {
    const done = this.ended.get(id);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`execution ${id} did not end within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(id, (e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
  }

  /** Forgets ended runs (keeps memory flat between phases). */
  reset(): void {
    this.ended.clear();
    this.arrivals.clear();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
