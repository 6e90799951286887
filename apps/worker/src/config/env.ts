import { isIP } from 'node:net';
import { validateMasterKeysEnv } from '@agentflow/services';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (min: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be >= ${min}` })
    .default(fallback);

const HOST_PATTERN = /^(\*\.)?[A-Za-z0-9.-]+$/;

/** `10.0.0.0/8`, `127.0.0.1`, `fd00::/8`: an address and a prefix that fits its family. */
function isCidr(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Comma-separated entries (blanks ignored) -> string[], every entry checked; unset = []. */
const commaList = (valid: (entry: string) => boolean, what: string) =>
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .refine((items) => items.every(valid), { error: `must be comma-separated ${what}` });
const allowHosts = () => commaList((entry) => HOST_PATTERN.test(entry), 'hostnames or *.domain');
const allowCidrs = () => commaList(isCidr, 'IP addresses or CIDRs (e.g. 10.0.0.0/8)');

/**
 * The worker's whole configuration. Values never appear in error messages (URLs carry passwords);
 * only variable names and what is expected of them.
 */
export const workerEnvSchema = z.object({
  REDIS_URL: z.url({
    protocol: /^rediss?$/,
    error: (issue) =>
      issue.input === undefined
        ? 'is required: the worker consumes its queues from Redis (e.g. redis://127.0.0.1:6379)'
        : 'must be a redis:// or rediss:// URL',
  }),
  /** Unset: embedded PGlite in PGLITE_DATA_DIR (only sensible for local experiments, see README). */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  PGLITE_DATA_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  /** Jobs processed at once per queue by this process. */
  WORKER_CONCURRENCY: integer(1, 4),
  /** Below Kubernetes' default 30 s grace period, so we exit before SIGKILL. */
  SHUTDOWN_TIMEOUT_MS: integer(0, 25_000),
  /** How long startup waits for Redis and the database before giving up. */
  STARTUP_TIMEOUT_MS: integer(100, 10_000),
  /** An execution's lease; renewed every third of it. A killed worker's runs are taken over after it. */
  EXECUTION_LEASE_MS: integer(1_000, 30_000),
  /** How often the reaper looks for expired leases, approval deadlines and stale pending runs. */
  REAPER_INTERVAL_MS: integer(100, 5_000),
  /** Takeovers of a run whose worker was lost, before it fails with WORKER_LOST. */
  MAX_RECOVERIES: integer(0, 3),
  /** A document claim's lease; renewed every third of it. A killed worker's documents are re-run after it. */
  INGESTION_LEASE_MS: integer(1_000, 60_000),
  /** How often expired document claims and pending documents without a job are swept. */
  INGESTION_SWEEP_INTERVAL_MS: integer(100, 15_000),
  /** Lost runs of a document re-run before it fails (a file that kills the worker every time). */
  INGESTION_MAX_RECOVERIES: integer(0, 3),
  /**
   * SSRF allow-lists, the same values as the API's: internal hosts / ranges org model endpoints
   * (LLM_ENDPOINT_*, e.g. a LAN Ollama) and the HTTP node and URL documents (HTTP_NODE_*) may reach.
   */
  LLM_ENDPOINT_ALLOW_HOSTS: allowHosts(),
  LLM_ENDPOINT_ALLOW_CIDRS: allowCidrs(),
  HTTP_NODE_ALLOW_HOSTS: allowHosts(),
  HTTP_NODE_ALLOW_CIDRS: allowCidrs(),
  /** How often schedule triggers are reconciled from agent_schedules (a pause without nudge waits this long). */
  SCHEDULE_RECONCILE_INTERVAL_MS: integer(100, 10_000),
  /** Redis key namespace of every queue; tests set a unique one to isolate runs. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.{}-]+$/, { error: 'may only contain letters, digits and _ . { } -' })
    .default('agentflow'),
  /** `production` makes MASTER_KEYS mandatory (as in the API); anything else allows the dev key. */
  NODE_ENV: z
    .enum(['development', 'test', 'production'], { error: 'must be development, test or production' })
    .optional(),
  /**
   * The vault's master keys, the same value as the API's: processors open LLM keys and integration
   * credentials with them. Format checked by validateMasterKeysEnv (@agentflow/services).
   */
  MASTER_KEYS: z.string().optional(),
  /**
   * Knowledge-base document files, as the API has them: `${DATA_DIR}/files` (default `.data`; share the
   * volume with the API) unless S3_BUCKET is set (S3 or compatible, with the other S3_* variables).
   */
  DATA_DIR: z.string().min(1).default('.data'),
  KNOWLEDGE_MAX_FILE_BYTES: integer(1, 20 * 1024 * 1024),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be an S3 bucket name' })
    .optional(),
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]{1,50}$/, { error: 'must be a region like us-east-1' })
    .optional(),
  S3_ACCESS_KEY_ID: z.string().max(256).optional(),
  S3_SECRET_ACCESS_KEY: z.string().max(256).optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});

export type WorkerEnv = z.output<typeof workerEnvSchema>;

export class WorkerEnvError extends Error {
  override readonly name = 'WorkerEnvError';
  constructor(readonly variables: Record<string, string>) {
    const lines = Object.entries(variables).map(([name, problem]) => `${name} ${problem}`);
    super(`Invalid worker environment: ${lines.join('; ')}`);
  }
}

export function loadWorkerEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  // An empty variable (VAR= in a compose file) means "not set", not "set to nothing".
  const cleaned = Object.fromEntries(
    Object.keys(workerEnvSchema.shape).map((key) => [key, source[key] === '' ? undefined : source[key]]),
  );
  const result = workerEnvSchema.safeParse(cleaned);
  const vault = validateMasterKeysEnv({
    MASTER_KEYS: result.data?.MASTER_KEYS,
    NODE_ENV: result.data?.NODE_ENV,
  });
  if (result.success && vault.length === 0) return result.data;
  const variables: Record<string, string> = {};
  for (const issue of vault) variables[issue.variable] ??= issue.message;
  for (const issue of result.error?.issues ?? []) {
    const name = String(issue.path[0] ?? 'environment');
    variables[name] ??= issue.message;
  }
  throw new WorkerEnvError(variables);
}

/** The SSRF allow-lists as the engine and services take them (what the API derives from the same variables). */
export function ssrfPolicies(env: WorkerEnv): {
  endpointPolicy: { allowHosts: string[]; allowCidrs: string[] };
  httpPolicy: { allowHosts: string[]; allowCidrs: string[] };
} {
  return {
    endpointPolicy: { allowHosts: env.LLM_ENDPOINT_ALLOW_HOSTS, allowCidrs: env.LLM_ENDPOINT_ALLOW_CIDRS },
    httpPolicy: { allowHosts: env.HTTP_NODE_ALLOW_HOSTS, allowCidrs: env.HTTP_NODE_ALLOW_CIDRS },
  };
}
