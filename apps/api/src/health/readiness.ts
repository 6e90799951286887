import type { Readiness } from '@agentflow/contracts';
import type { Database } from '@agentflow/db';
import type { FastifyBaseLogger } from 'fastify';

type DependencyCheck = Readiness['checks']['database'];

export interface Pingable {
  ping(): Promise<unknown>;
}

export interface ReadinessDeps {
  database: Pick<Database, 'ping'>;
  /** Absent when REDIS_URL is not configured: reported as `disabled`, never as a failure. */
  redis?: Pingable | undefined;
  timeoutMs: number;
  log: FastifyBaseLogger;
}

/** Pings every configured dependency in parallel, each bounded by `timeoutMs`. */
export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const [database, redis] = await Promise.all([
    timedCheck('database', () => deps.database.ping(), deps),
    deps.redis ? timedCheck('redis', () => deps.redis!.ping(), deps) : Promise.resolve(disabled()),
  ]);
  const status = database.status === 'error' || redis.status === 'error' ? 'error' : 'ok';
  return { status, checks: { database, redis } };
}

function disabled(): DependencyCheck {
  return { status: 'disabled' };
}

async function timedCheck(
  name: string,
  ping: () => Promise<unknown>,
  deps: Pick<ReadinessDeps, 'timeoutMs' | 'log'>,
): Promise<DependencyCheck> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(deps.timeoutMs)), deps.timeoutMs);
  });
  const attempt = ping();
  // A ping that loses the race may still reject later; swallow that so it is not an unhandled rejection.
  attempt.catch(() => {});
  try {
    await Promise.race([attempt, timeout]);
    return { status: 'ok', latency_ms: elapsed(started) };
  } catch (err) {
    deps.log.warn({ err, dependency: name }, 'readiness check failed');
    // The response names the failure class only (ECONNREFUSED, timeout): hosts and credentials stay in logs.
    return { status: 'error', latency_ms: elapsed(started), error: reason(err) };
  } finally {
    clearTimeout(timer);
  }
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms}ms`);
    this.name = 'TimeoutError';
  }
}

function reason(err: unknown): string {
  if (err instanceof TimeoutError) return err.message;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : 'unreachable';
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
