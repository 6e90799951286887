import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { type StorageConfig, validateMasterKeysEnv } from '@agentflow/services';
import { z } from 'zod';

/**
 * The API's one environment module. Everything the process reads from `process.env` is declared and
 * validated here, so a typo or a bad value stops startup with a message naming the variable instead
 * of surfacing later as a confusing runtime error.
 */

// An empty string in a .env file or a compose file means "not set", not "set to nothing".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess((value) => (value === '' || value === undefined ? fallback : value), schema);

// Digits only: z.coerce.number() would read " " as 0 and "1e3" as 1000.
const intInRange = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `must be an integer between ${min} and ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be >= ${min}` })
        .max(max, { error: `must be <= ${max}` }),
    );

const urlWithProtocols = (protocols: string[], example: string) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a URL like ${example}` },
  );

const origin = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      // An origin is scheme://host[:port] only; a path or trailing slash never matches a browser Origin.
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
    } catch {
      return false;
    }
  },
  { error: 'each entry must be an origin like https://app.example.com (no path, no trailing slash)' },
);

const commaList = (entry: RegExp, what: string) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .refine((items) => items.every((item) => entry.test(item)), { error: `must be comma-separated ${what}` });

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const envSchema = z.object({
  NODE_ENV: withDefault(z.enum(['development', 'test', 'production']), 'development'),
  // Default depends on NODE_ENV (see loadConfig): loopback in dev, all interfaces in production.
  HOST: optional(z.string().min(1)),
  PORT: withDefault(intInRange(0, 65535), '4000'),
  DATABASE_URL: optional(urlWithProtocols(['postgres:', 'postgresql:'], 'postgres://user:pass@host:5432/db')),
  DATA_DIR: withDefault(z.string().min(1), '.data'),
  REDIS_URL: optional(urlWithProtocols(['redis:', 'rediss:'], 'redis://127.0.0.1:6379')),
  LOG_LEVEL: withDefault(z.enum(logLevels), 'info'),
  CORS_ORIGINS: withDefault(
    z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean),
      )
      // `*` cannot be combined with credentials: browsers reject it, so refuse it here instead.
      .pipe(z.array(origin)),
    'http://localhost:3000',
  ),
  BODY_LIMIT_BYTES: withDefault(intInRange(1, 1024 * 1024 * 1024), String(1024 * 1024)),
  SHUTDOWN_TIMEOUT_MS: withDefault(intInRange(0, 10 * 60 * 1000), '10000'),
  // WebSocket keepalive (execution streams): ping this often; a client that has not answered the
  // previous ping by the next one is disconnected.
  WS_PING_INTERVAL_MS: withDefault(intInRange(100, 10 * 60 * 1000), '25000'),
  // Redis key namespace of the BullMQ queues; must equal the worker's QUEUE_PREFIX.
  QUEUE_PREFIX: withDefault(
    z.string().regex(/^[A-Za-z0-9_.{}-]+$/, { error: 'may only contain letters, digits and _ . { } -' }),
    'agentflow',
  ),
  // Embedded mode (no REDIS_URL) runs executions in this process: its lease and reaper period.
  EXECUTION_LEASE_MS: withDefault(intInRange(1000, 60 * 60 * 1000), '30000'),
  REAPER_INTERVAL_MS: withDefault(intInRange(100, 10 * 60 * 1000), '5000'),
  PUBLIC_URL: optional(urlWithProtocols(['http:', 'https:'], 'https://api.example.com')),
  MIGRATE_ON_START: withDefault(z.stringbool({ error: 'must be true or false' }), 'true'),
  // Role every API query runs as (RLS applies to it; ADR 0005). Created by the `rls` migration.
  DATABASE_APP_ROLE: withDefault(
    z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'must be a lower-case role name' }),
    'agentflow_app',
  ),
  // Rate limits (seed 004 §8.4), per window. Unset RATE_LIMIT_ENABLED = on, except NODE_ENV=test (off,
  // so suites can sign in freely; the rate-limit tests turn it on with low limits).
  RATE_LIMIT_ENABLED: optional(z.stringbool({ error: 'must be true or false' })),
  RATE_LIMIT_WINDOW_MS: withDefault(intInRange(1000, 24 * 60 * 60 * 1000), '60000'),
  RATE_LIMIT_ORG_MAX: withDefault(intInRange(1, 10_000_000), '1000'),
  RATE_LIMIT_API_KEY_MAX: withDefault(intInRange(1, 10_000_000), '500'),
  RATE_LIMIT_AUTH_MAX: withDefault(intInRange(1, 10_000_000), '10'),
  RATE_LIMIT_IP_MAX: withDefault(intInRange(1, 10_000_000), '300'),
  RATE_LIMIT_FAILED_AUTH_MAX: withDefault(intInRange(1, 10_000_000), '60'),
  RATE_LIMIT_REDIS_PREFIX: withDefault(z.string().min(1).max(200), 'agentflow:rate-limit:'),
  // Behind a load balancer the socket address is the balancer's, so per-IP limits (login) would lump
  // every client together. `true` (trust X-Forwarded-For fully) or comma-separated proxy addresses /
  // CIDRs. Unset: no proxy trusted; request.ip is the socket address.
  TRUST_PROXY: optional(
    z
      .string()
      .trim()
      .transform((value): boolean | string[] => {
        if (value === 'true' || value === 'false') return value === 'true';
        return value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean);
      })
      .refine((value) => !Array.isArray(value) || value.every((entry) => /^[0-9a-fA-F.:/]+$/.test(entry)), {
        error: 'must be true, false, or comma-separated IP addresses / CIDRs',
      }),
  ),
  // HS256 key for access tokens. Required in production; see loadConfig for the dev/test fallback.
  JWT_SECRET: optional(z.string().min(32, { error: 'must be at least 32 characters' })),
  // Outgoing email (invitations). Unset: messages are logged instead of sent (see createMailer).
  SMTP_URL: optional(urlWithProtocols(['smtp:', 'smtps:'], 'smtps://user:pass@smtp.example.com:465')),
  MAIL_FROM: withDefault(z.string().min(3).max(255), 'AgentFlow <no-reply@agentflow.local>'),
  // The web app's base URL: emailed links (invitation accept) point there, not at the API.
  APP_URL: withDefault(
    urlWithProtocols(['http:', 'https:'], 'https://app.example.com'),
    'http://localhost:3000',
  ),
  // Vault master keys `id:base64(32 bytes),...`; checked by validateMasterKeysEnv in loadConfig (the
  // services package owns the format). Required in production.
  MASTER_KEYS: optional(z.string()),
  // Org model endpoints that may resolve to internal addresses (a LAN Ollama): the SSRF guard refuses
  // them otherwise. Hostnames (`*.corp.example`) / CIDRs, comma-separated.
  LLM_ENDPOINT_ALLOW_HOSTS: withDefault(commaList(/^(\*\.)?[A-Za-z0-9.-]+$/, 'hostnames or *.domain'), ''),
  LLM_ENDPOINT_ALLOW_CIDRS: withDefault(
    commaList(/^[0-9a-fA-F.:]+(\/\d{1,3})?$/, 'IP addresses or CIDRs'),
    '',
  ),
  // The HTTP node's SSRF guard refuses private, loopback and link-local addresses; self-hosters may
  // allow-list internal services here. Hostnames (`*.corp.example`) / CIDRs, comma-separated.
  HTTP_NODE_ALLOW_HOSTS: withDefault(commaList(/^(\*\.)?[A-Za-z0-9.-]+$/, 'hostnames or *.domain'), ''),
  HTTP_NODE_ALLOW_CIDRS: withDefault(commaList(/^[0-9a-fA-F.:]+(\/\d{1,3})?$/, 'IP addresses or CIDRs'), ''),
  // SSO through WorkOS: both credentials or neither (unset = SSO sign-in answers 503). WORKOS_API_URL
  // points the SDK elsewhere (tests run a fake WorkOS on 127.0.0.1).
  WORKOS_API_KEY: optional(z.string().min(1).max(500)),
  WORKOS_CLIENT_ID: optional(z.string().min(1).max(200)),
  WORKOS_API_URL: withDefault(
    urlWithProtocols(['http:', 'https:'], 'https://api.workos.com'),
    'https://api.workos.com',
  ),
  // The callback registered at WorkOS. Default: on the web app's origin, so the refresh cookie it sets
  // lands where the web app calls /api/v1/auth/refresh.
  SSO_REDIRECT_URI: optional(
    urlWithProtocols(['http:', 'https:'], 'https://app.example.com/api/v1/auth/sso/callback'),
  ),
  // Webhook triggers (POST /api/v1/hooks/:hookId): how long a sync hook waits for its run before
  // answering 202, and the largest body a hook accepts (413 PAYLOAD_TOO_LARGE beyond).
  WEBHOOK_SYNC_TIMEOUT_MS: withDefault(intInRange(0, 120_000), '30000'),
  WEBHOOK_MAX_BODY_BYTES: withDefault(intInRange(1, 64 * 1024 * 1024), String(1024 * 1024)),
  // Embedded mode's schedule triggers: how often the in-process scheduler re-reads agent_schedules
  // (changes made through this API apply at once; this bounds everything else).
  SCHEDULE_RECONCILE_INTERVAL_MS: withDefault(intInRange(100, 24 * 60 * 60 * 1000), '10000'),
  // Knowledge-base documents: largest file per upload (413 beyond; also caps URL downloads), and where
  // files are stored: ${DATA_DIR}/files unless S3_BUCKET is set (S3 or compatible; the worker must agree).
  KNOWLEDGE_MAX_FILE_BYTES: withDefault(intInRange(1, 1024 * 1024 * 1024), String(20 * 1024 * 1024)),
  S3_BUCKET: optional(
    z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be an S3 bucket name' }),
  ),
  S3_ENDPOINT: optional(urlWithProtocols(['http:', 'https:'], 'https://s3.example.com')),
  S3_REGION: optional(z.string().regex(/^[a-z0-9-]{1,50}$/, { error: 'must be a region like us-east-1' })),
  S3_ACCESS_KEY_ID: optional(z.string().min(1).max(256)),
  S3_SECRET_ACCESS_KEY: optional(z.string().min(1).max(256)),
  S3_FORCE_PATH_STYLE: withDefault(z.stringbool({ error: 'must be true or false' }), 'false'),
  // Embedded mode's ingestion recovery: how often documents stuck pending (lost job) or processing (a
  // process that died) are swept. The worker has its own.
  INGESTION_SWEEP_INTERVAL_MS: withDefault(intInRange(100, 60 * 60 * 1000), '15000'),
});

export type Env = z.output<typeof envSchema>;
export type LogLevel = (typeof logLevels)[number];

export interface AppConfig {
  nodeEnv: Env['NODE_ENV'];
  host: string;
  port: number;
  databaseUrl: string | undefined;
  /** Absolute path, or `memory://` for an in-memory embedded database (tests). */
  dataDir: string;
  redisUrl: string | undefined;
  logLevel: LogLevel;
  corsOrigins: string[];
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  /** WebSocket ping period; a client that misses one pong (one whole period) is terminated. */
  wsPingIntervalMs: number;
  /** BullMQ key prefix (with REDIS_URL); the worker must use the same. */
  queuePrefix: string;
  /** Executions run by this process in embedded mode: lease length and reaper period (ADR 0006). */
  executions: { leaseMs: number; sweepIntervalMs: number };
  /** Base URL clients use to reach this API (OpenAPI `servers`, links). No trailing slash. */
  publicUrl: string;
  migrateOnStart: boolean;
  /** Database role for every API query (`agentflow_app`); migrations run as the connecting user. */
  databaseAppRole: string;
  /** Request limits per window; see plugins/rate-limit.ts for which bucket a request counts against. */
  rateLimit: RateLimitConfig;
  /** Fastify `trustProxy`: which X-Forwarded-For hops to believe for request.ip. */
  trustProxy: boolean | string[];
  /** HS256 key for access tokens (>= 32 chars). */
  jwtSecret: string;
  /** true when JWT_SECRET was unset outside production and a random per-process key is used (logged). */
  jwtSecretGenerated: boolean;
  /** nodemailer connection URL; undefined = log emails instead of sending them. May hold a password. */
  smtpUrl: string | undefined;
  /** Sender of every email, e.g. `AgentFlow <no-reply@example.com>`. */
  mailFrom: string;
  /** Web app base URL for links in emails. No trailing slash. */
  appUrl: string;
  /** MASTER_KEYS as given (undefined outside production = the public development key, warned). */
  masterKeys: string | undefined;
  /** SSRF allow-list for org model endpoints (see @agentflow/services models/endpoint.ts). */
  llmEndpointPolicy: { allowHosts: string[]; allowCidrs: string[] };
  /** SSRF allow-list for the HTTP node (and agent HTTP tools). */
  httpNodePolicy: { allowHosts: string[]; allowCidrs: string[] };
  /** WorkOS credentials; undefined when SSO is not set up on this instance. */
  workos: WorkosConfig | undefined;
  /** The SSO callback URL WorkOS redirects to (registered in the WorkOS dashboard). */
  ssoRedirectUri: string;
  /** Webhook triggers: sync-hook wait (then 202) and the hook body limit (then 413). */
  webhooks: { syncTimeoutMs: number; maxBodyBytes: number };
  /** Period of the embedded schedule reconciler (without REDIS_URL; the worker has its own). */
  scheduleReconcileIntervalMs: number;
  /** Knowledge-base documents: per-file size limit and file storage (local directory or S3). */
  knowledge: { maxFileBytes: number; storage: StorageConfig };
  /** Period of the embedded ingestion recovery (without REDIS_URL; the worker has its own). */
  ingestionSweepIntervalMs: number;
}

export interface WorkosConfig {
  /** Also the client secret of the code exchange. */
  apiKey: string;
  clientId: string;
  /** Base URL of the WorkOS API, no trailing slash. */
  apiUrl: string;
}

export interface RateLimitConfig {
  enabled: boolean;
  windowMs: number;
  /** Requests signed in with a user's access token, counted per org. */
  orgMax: number;
  /** Requests authenticated by an API key, counted per key. */
  apiKeyMax: number;
  /** Public /api/v1/auth/* requests (signup, login, refresh ...), counted per client IP. */
  authMax: number;
  /** Any other request without credentials (docs, unknown routes, public routes), per client IP. */
  ipMax: number;
  /** Rejected credentials (401 for a bad token or key) per client IP; then 429 for credentialed requests. */
  failedAuthMax: number;
  /** Redis key prefix of the counters (tests use a unique one per app). */
  redisPrefix: string;
}

/** A bad environment. `issues` name each variable; `message` is ready to print. */
export class ConfigError extends Error {
  readonly issues: { variable: string; message: string }[];

  constructor(issues: { variable: string; message: string }[]) {
    const lines = issues.map((issue) => `  ${issue.variable}: ${issue.message}`);
    super(`Invalid environment configuration:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/**
 * Pure: validates `env` (usually `process.env`) and derives the config. Throws ConfigError.
 * Values are never echoed back in messages: DATABASE_URL and REDIS_URL may hold passwords.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd: string = process.cwd()): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? 'environment'),
        message: issue.message,
      })),
    );
  }
  const e = parsed.data;
  const issues = validateMasterKeysEnv({ MASTER_KEYS: e.MASTER_KEYS, NODE_ENV: e.NODE_ENV });
  if (!e.JWT_SECRET && e.NODE_ENV === 'production') {
    issues.unshift({ variable: 'JWT_SECRET', message: 'is required in production (32+ characters)' });
  }
  if (!e.WORKOS_API_KEY !== !e.WORKOS_CLIENT_ID) {
    const missing = e.WORKOS_API_KEY ? 'WORKOS_CLIENT_ID' : 'WORKOS_API_KEY';
    issues.push({ variable: missing, message: 'is required when the other WORKOS_* credential is set' });
  }
  if (!e.S3_ACCESS_KEY_ID !== !e.S3_SECRET_ACCESS_KEY) {
    const missing = e.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID';
    issues.push({ variable: missing, message: 'is required when the other S3_* credential is set' });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const dataDir =
    e.DATA_DIR.startsWith('memory://') || isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(cwd, e.DATA_DIR);
  const host = e.HOST ?? (e.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1');
  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    nodeEnv: e.NODE_ENV,
    host,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    corsOrigins: e.CORS_ORIGINS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    wsPingIntervalMs: e.WS_PING_INTERVAL_MS,
    queuePrefix: e.QUEUE_PREFIX,
    executions: { leaseMs: e.EXECUTION_LEASE_MS, sweepIntervalMs: e.REAPER_INTERVAL_MS },
    publicUrl: (e.PUBLIC_URL ?? `http://${displayHost}:${e.PORT}`).replace(/\/+$/, ''),
    migrateOnStart: e.MIGRATE_ON_START,
    databaseAppRole: e.DATABASE_APP_ROLE,
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED ?? e.NODE_ENV !== 'test',
      windowMs: e.RATE_LIMIT_WINDOW_MS,
      orgMax: e.RATE_LIMIT_ORG_MAX,
      apiKeyMax: e.RATE_LIMIT_API_KEY_MAX,
      authMax: e.RATE_LIMIT_AUTH_MAX,
      ipMax: e.RATE_LIMIT_IP_MAX,
      failedAuthMax: e.RATE_LIMIT_FAILED_AUTH_MAX,
      redisPrefix: e.RATE_LIMIT_REDIS_PREFIX,
    },
    trustProxy: e.TRUST_PROXY ?? false,
    // Outside production a random key keeps `pnpm dev` zero-config; access tokens then die with the
    // process (refresh tokens are opaque and survive, so clients just refresh).
    jwtSecret: e.JWT_SECRET ?? randomBytes(32).toString('base64url'),
    jwtSecretGenerated: !e.JWT_SECRET,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    appUrl: e.APP_URL.replace(/\/+$/, ''),
    workos:
      e.WORKOS_API_KEY && e.WORKOS_CLIENT_ID
        ? {
            apiKey: e.WORKOS_API_KEY,
            clientId: e.WORKOS_CLIENT_ID,
            apiUrl: e.WORKOS_API_URL.replace(/\/+$/, ''),
          }
        : undefined,
    ssoRedirectUri: e.SSO_REDIRECT_URI ?? `${e.APP_URL.replace(/\/+$/, '')}/api/v1/auth/sso/callback`,
    masterKeys: e.MASTER_KEYS,
    llmEndpointPolicy: { allowHosts: e.LLM_ENDPOINT_ALLOW_HOSTS, allowCidrs: e.LLM_ENDPOINT_ALLOW_CIDRS },
    httpNodePolicy: { allowHosts: e.HTTP_NODE_ALLOW_HOSTS, allowCidrs: e.HTTP_NODE_ALLOW_CIDRS },
    webhooks: { syncTimeoutMs: e.WEBHOOK_SYNC_TIMEOUT_MS, maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES },
    scheduleReconcileIntervalMs: e.SCHEDULE_RECONCILE_INTERVAL_MS,
    knowledge: { maxFileBytes: e.KNOWLEDGE_MAX_FILE_BYTES, storage: storageConfig(e, dataDir) },
    ingestionSweepIntervalMs: e.INGESTION_SWEEP_INTERVAL_MS,
  };
}

function storageConfig(e: Env, dataDir: string): StorageConfig {
  if (e.S3_BUCKET) {
    return {
      kind: 's3',
      bucket: e.S3_BUCKET,
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      accessKeyId: e.S3_ACCESS_KEY_ID,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY,
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
    };
  }
  // An in-memory database (tests) keeps its files in a temporary directory, not under "memory://".
  const root = dataDir.startsWith('memory://')
    ? join(tmpdir(), 'agentflow-memory-files')
    : join(dataDir, 'files');
  return { kind: 'local', root };
}
