import type { IngestionQueue } from './documents';
import {
  type IngestionRecoveryDeps,
  type IngestionSweepResult,
  recoverPendingDocuments,
  sweepExpiredIngestions,
} from './recovery';

export interface IngestionRecoveryQueue extends IngestionQueue {
  /** The queue's store came back after a loss (jobs enqueued meanwhile may be gone). */
  onReconnect?(listener: () => void): () => void;
}

export interface IngestionRecoveryOptions extends IngestionRecoveryDeps {
  queue: IngestionRecoveryQueue;
  /** How often expired claims and stale pending documents are swept (default 15 s). */
  sweepIntervalMs?: number | undefined;
  /** A pending document unchanged this long with no job waiting is re-enqueued (default 60 s). */
  stalePendingMs?: number | undefined;
  logger?:
    | {
        info?(obj: object, msg: string): void;
        warn(obj: object, msg: string): void;
      }
    | undefined;
}

export interface IngestionRecovery {
  /** Recovers now (every pending document without a job, every expired claim), then on a timer. */
  start(): Promise<void>;
  /** One pass: expired claims, then pending documents unchanged for `stalePendingMs`. */
  sweep(): Promise<IngestionSweepResult & { reEnqueued: number }>;
  stop(): Promise<void>;
}

export const DEFAULT_INGESTION_SWEEP_INTERVAL_MS = 15_000;
const liveJobStates = new Set(['waiting', 'delayed', 'active']);

/**
 * Keeps documents from being stuck `pending` or `processing` (the ingestion side of ADR 0004: Postgres
 * decides, the queue only delivers). Every process that consumes the `ingestion` queue runs one (the
 * worker, or the API in embedded mode): at start, whenever the queue's store reconnects, and every
 * `sweepIntervalMs`. Safe with many: every takeover and re-delivery is a compare-and-swap in Postgres.
 */
export function createIngestionRecovery(options: IngestionRecoveryOptions): IngestionRecovery {
  let timer: NodeJS.Timeout | undefined;
  let offReconnect: (() => void) | undefined;
  let sweeping: Promise<unknown> | undefined;
  const { queue, logger } = options;
  const isQueued = queue.getJob
    ? async (jobId: string) => liveJobStates.has((await queue.getJob?.('ingestion', jobId))?.state ?? '')
    : undefined;

  const pass = async (olderThanMs: number) => {
    const claims = await sweepExpiredIngestions(options);
    const reEnqueued = await recoverPendingDocuments(options, { olderThanMs, isQueued });
    if (claims.requeued + claims.failed + reEnqueued > 0) {
      logger?.info?.({ ...claims, reEnqueued }, 'ingestion recovery pass');
    }
    return { ...claims, reEnqueued };
  };
  const guarded = (olderThanMs: number, what: string) =>
    pass(olderThanMs).catch((err) => {
      logger?.warn({ err }, `${what} failed; retrying on the next tick`);
      return undefined;
    });
  // One pass at a time per process: a slow pass is not stacked by the timer or a reconnect.
  const once = (olderThanMs: number, what: string) => {
    sweeping ??= guarded(olderThanMs, what).finally(() => {
      sweeping = undefined;
    });
    return sweeping;
  };

  return {
    async start() {
      // Jobs lost with a restarted process (inline queue) or a wiped Redis: pending rows are the truth.
      await once(0, 'ingestion recovery at startup');
      offReconnect = queue.onReconnect?.(() => {
        // After the pass in progress (if any): that one may have skipped recent pending documents.
        void Promise.resolve(sweeping).then(() => once(0, 'ingestion recovery after a queue reconnect'));
      });
      timer = setInterval(
        () => void once(options.stalePendingMs ?? 60_000, 'ingestion recovery pass'),
        options.sweepIntervalMs ?? DEFAULT_INGESTION_SWEEP_INTERVAL_MS,
      );
      timer.unref?.();
    },
    sweep: () => pass(options.stalePendingMs ?? 60_000),
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      offReconnect?.();
      offReconnect = undefined;
      await sweeping;
    },
  };
}
