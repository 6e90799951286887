import type { Logger } from './logger';
import type { WorkerHandle } from './worker';

export interface ShutdownOptions {
  worker: WorkerHandle;
  logger: Logger;
  shutdownTimeoutMs: number;
  exit?: (code: number) => void;
}

/** Extra time after the job timeout for closing connections before we stop waiting altogether. */
const CLOSE_MARGIN_MS = 5_000;

/**
 * SIGTERM/SIGINT: stop taking jobs, let active ones finish (bounded), close Redis and the database,
 * exit 0. Exit 1 when jobs had to be aborted or something failed to close, so the forced case is
 * visible to the orchestrator. A second signal exits at once (impatient operator, Ctrl-C twice).
 */
export function installShutdown({ worker, logger, shutdownTimeoutMs, exit = process.exit }: ShutdownOptions) {
  let shuttingDown = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      exit(1);
      return;
    }
    shuttingDown = true;
    logger.info({ signal, shutdownTimeoutMs }, 'shutting down: no new jobs, waiting for active ones');
    // Last resort if closing itself hangs (e.g. a connection that never answers QUIT).
    const deadline = setTimeout(() => {
      logger.error('shutdown did not complete in time; exiting');
      exit(1);
    }, shutdownTimeoutMs + CLOSE_MARGIN_MS);
    deadline.unref();

    worker.close().then(
      (result) => {
        clearTimeout(deadline);
        logger.info({ clean: result.clean }, 'worker stopped');
        exit(result.clean ? 0 : 1);
      },
      (err: unknown) => {
        clearTimeout(deadline);
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };

  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
