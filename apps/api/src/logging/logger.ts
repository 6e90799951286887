import type { FastifyRequest } from 'fastify';
import { type DestinationStream, type Logger, pino, stdSerializers } from 'pino';
import type { LogLevel } from '../config/env';
import { redactPaths, scrubUrlCredentials } from './redact';
import { sanitizeUrl } from './sanitize-url';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: LogLevel;
  /** Where JSON lines go; stdout when omitted. Tests pass a capturing stream. */
  stream?: DestinationStream | undefined;
  /** Static fields on every line (e.g. `{ service: 'api' }`). */
  base?: Record<string, unknown> | undefined;
}

/**
 * One pino JSON logger for the process. Secrets are removed by path (see redact.ts) rather than by a
 * deep walk: pino sees raw objects (a FastifyRequest) before serializers run, so walking them is
 * neither safe nor cheap.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'api', ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: '[REDACTED]' },
      serializers: {
        err: (err: Error) => scrubSerializedError(stdSerializers.err(err)),
        // Fastify's default request serializer logs the raw URL; query strings can carry tokens
        // (e.g. a WebSocket auth token), so the URL is sanitized first. Headers are not logged at all.
        req: (req: FastifyRequest) => ({
          method: req.method,
          url: sanitizeUrl(req.url),
          host: req.host,
          remoteAddress: req.ip,
          userAgent: req.headers['user-agent'],
        }),
      },
    },
    options.stream ?? pino.destination({ dest: 1, sync: true }),
  );
}

// Driver errors often quote the connection string; keep the error, drop the password.
function scrubSerializedError<T extends { message?: string; stack?: string }>(serialized: T): T {
  if (typeof serialized.message === 'string') serialized.message = scrubUrlCredentials(serialized.message);
  if (typeof serialized.stack === 'string') serialized.stack = scrubUrlCredentials(serialized.stack);
  return serialized;
}
