import { isAbsolute, resolve } from 'node:path';
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
  PUBLIC_URL: optional(urlWithProtocols(['http:', 'https:'], 'https://api.example.com')),
  MIGRATE_ON_START: withDefault(z.stringbool({ error: 'must be true or false' }), 'true'),
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
  /** Base URL clients use to reach this API (OpenAPI `servers`, links). No trailing slash. */
  publicUrl: string;
  migrateOnStart: boolean;
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
  const host = e.HOST ?? (e.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1');
  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    nodeEnv: e.NODE_ENV,
    host,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir:
      e.DATA_DIR.startsWith('memory://') || isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(cwd, e.DATA_DIR),
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    corsOrigins: e.CORS_ORIGINS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    publicUrl: (e.PUBLIC_URL ?? `http://${displayHost}:${e.PORT}`).replace(/\/+$/, ''),
    migrateOnStart: e.MIGRATE_ON_START,
  };
}
