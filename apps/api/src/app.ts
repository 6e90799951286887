import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Database } from '@agentflow/db';
import { createEventBus, type EventBus, InlineQueueDriver, type QueueDriver } from '@agentflow/queue';
import {
  createKeyring,
  createMailer,
  createObjectStorage,
  type Keyring,
  type Mailer,
  type ObjectStorage,
} from '@agentflow/services';
import fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import {
  type FastifyPluginAsyncZod,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { authPlugin } from './auth/plugin';
import type { AppConfig } from './config/env';
import { registerErrorHandling, sendError } from './errors/error-handler';
import type { Pingable } from './health/readiness';
import { healthRoutes } from './health/routes';
import { createLogger, type Logger } from './logging/logger';
import { genReqId } from './logging/request-id';
import { registerDefaultErrorResponses } from './plugins/error-responses';
import { registerOpenApi } from './plugins/openapi';
import { registerRateLimit } from './plugins/rate-limit';
import { registerRequestContext } from './plugins/request-context';
import { registerSecurity } from './plugins/security';
import { registerWebSocket } from './plugins/websocket';
import { consumeExecutionsInline } from './routes/executions/inline-consumer';
import { consumeIngestionInline } from './routes/knowledge/inline-ingestion';
import { API_PREFIX, v1Routes } from './routes/v1';
import { runSchedulesInline } from './schedules/inline';
import { registerScheduleNudge } from './schedules/nudge';
import { collectRoutes } from './tenancy/route-catalog';
import { API_VERSION } from './version';

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface AppDeps {
  config: AppConfig;
  database: Database;
  /** Connected ioredis client when REDIS_URL is set; readiness reports `disabled` without one. */
  redis?: Pingable | undefined;
  /** The process logger; built from `config.logLevel` to stdout when omitted. */
  logger?: Logger | undefined;
  /** Route plugins mounted under /api/v1. For tests (fixture routes); product routes live in routes/v1. */
  plugins?: FastifyPluginAsyncZod[] | undefined;
  /** Per-dependency bound for /readyz (default 2000 ms). */
  readinessTimeoutMs?: number | undefined;
  /** Outgoing email; built from SMTP_URL / MAIL_FROM when omitted (tests pass a MemoryMailer). */
  mailer?: Mailer | undefined;
  /** The vault keyring (master keys + data-key cache); built from MASTER_KEYS when omitted. */
  keyring?: Keyring | undefined;
  /**
   * Where executions are enqueued. Inline (the default) also runs them in this process; with BullMQ
   * the worker app runs them. A driver passed in is the caller's to close.
   */
  queue?: QueueDriver | undefined;
  /** Where execution events are published (`execution:{id}`); in-process by default. Caller's to close. */
  events?: EventBus | undefined;
  /** Knowledge-base document files; from config (local directory or S3) when omitted. */
  storage?: ObjectStorage | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** One per process: routes pass it to services that seal or open secrets (models, integrations). */
    keyring: Keyring;
    /** Execution events (`execution:{id}`): Redis pub/sub in services mode, in-process otherwise. */
    eventBus: EventBus;
  }
}

/**
 * Builds the Fastify app without listening, so tests drive it with `app.inject()`.
 * The caller owns `database` and `redis`: closing the app does not close them.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  // Typed as Fastify's base logger so plugins and helpers see one FastifyInstance type.
  const logger: FastifyBaseLogger = deps.logger ?? createLogger({ level: config.logLevel });

  const app = fastify({
    loggerInstance: logger,
    genReqId,
    requestIdHeader: false, // genReqId reads X-Request-ID itself so it can reject malformed ids
    bodyLimit: config.bodyLimitBytes,
    // Drain responses come from request-context.ts in our envelope instead.
    return503OnClosing: false,
    // Errors raised before routing (malformed URL) get the same envelope as everything else.
    frameworkErrors: (error, request, reply) => {
      sendError(error, request, reply);
    },
    routerOptions: { ignoreTrailingSlash: true },
    // request.ip feeds the per-IP rate limits and audit rows: only trust proxies we were told about.
    trustProxy: config.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();

  // First, so every route lands in the catalog the cross-tenant suite walks (tenancy/).
  collectRoutes(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only. A text/plain body would otherwise be parsed as a string and fail validation as a 422,
  // hiding the real mistake (wrong Content-Type, which is a 415).
  app.removeContentTypeParser('text/plain');
  // Before every other hook: an upgrade refused by any of them (401, 503 ...) must still free its socket.
  await registerWebSocket(app);

  registerRequestContext(app);
  registerErrorHandling(app);
  await registerSecurity(app, { corsOrigins: config.corsOrigins, publicUrl: config.publicUrl });
  await registerOpenApi(app, { publicUrl: config.publicUrl, version: API_VERSION });
  registerDefaultErrorResponses(app);

  await app.register(healthRoutes, {
    database: deps.database,
    redis: deps.redis,
    timeoutMs: deps.readinessTimeoutMs ?? 2000,
  });
  // Before the routes: it decorates the app (authDeps, request.auth, cookies) and guards /api/v1.
  await app.register(authPlugin, {
    config,
    database: deps.database,
    redis: deps.redis,
    protectedPrefix: API_PREFIX,
  });
  // After the auth plugin: the bucket (API key, org, or client IP) depends on request.auth.
  await registerRateLimit(app, {
    config: config.rateLimit,
    redis: deps.redis,
    authPrefix: `${API_PREFIX}/auth/`,
  });
  // Before the routes use it. createKeyring logs the development-key warning when MASTER_KEYS is unset
  // (loadConfig already refused that in production).
  const keyring =
    deps.keyring ??
    createKeyring(
      { MASTER_KEYS: config.masterKeys, NODE_ENV: config.nodeEnv },
      { warn: (message) => logger.warn({ component: 'vault' }, message) },
    );
  app.decorate('keyring', keyring);
  const queue = deps.queue ?? new InlineQueueDriver();
  const events = deps.events ?? createEventBus({});
  if (!deps.queue) app.addHook('onClose', () => queue.close({ timeoutMs: config.shutdownTimeoutMs }));
  if (!deps.events) app.addHook('onClose', () => events.close());
  app.decorate('eventBus', events);
  // Publish, rollback, status and archive tell the schedulers (worker or in-process) to reconcile now.
  registerScheduleNudge(app, events);
  const storage = deps.storage ?? createObjectStorage(config.knowledge.storage);
  // Embedded mode: no worker process, so the API consumes its own inline queue (same code path).
  if (queue.kind === 'inline') {
    await consumeExecutionsInline(app, {
      queue,
      events,
      database: deps.database,
      keyring,
      endpointPolicy: config.llmEndpointPolicy,
      httpPolicy: config.httpNodePolicy,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      leaseMs: config.executions.leaseMs,
      sweepIntervalMs: config.executions.sweepIntervalMs,
    });
    await consumeIngestionInline(app, {
      queue,
      events,
      database: deps.database,
      keyring,
      storage,
      endpointPolicy: config.llmEndpointPolicy,
      httpPolicy: config.httpNodePolicy,
      maxFileBytes: config.knowledge.maxFileBytes,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      sweepIntervalMs: config.ingestionSweepIntervalMs,
    });
    await runSchedulesInline(app, {
      queue,
      events,
      database: deps.database,
      intervalMs: config.scheduleReconcileIntervalMs,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
    });
  }
  const mailer = deps.mailer ?? createAppMailer(config, logger);
  if (!deps.mailer) app.addHook('onClose', () => mailer.close());
  await app.register(v1Routes, {
    prefix: API_PREFIX,
    plugins: deps.plugins ?? [],
    org: { mailer, appUrl: config.appUrl, ssoRedirectUri: config.ssoRedirectUri },
    sso: {
      workos: config.workos,
      redirectUri: config.ssoRedirectUri,
      appUrl: config.appUrl,
      jwtSecret: config.jwtSecret,
    },
    models: { endpointPolicy: config.llmEndpointPolicy },
    agents: { endpointPolicy: config.llmEndpointPolicy, httpPolicy: config.httpNodePolicy },
    executions: { queue, wsPingIntervalMs: config.wsPingIntervalMs },
    hooks: { queue, ...config.webhooks },
    knowledge: {
      endpointPolicy: config.llmEndpointPolicy,
      documents: {
        storage,
        queue,
        maxFileBytes: config.knowledge.maxFileBytes,
        httpPolicy: config.httpNodePolicy,
        logger: logger.child({ component: 'knowledge' }),
      },
      removeFiles: async (paths) => {
        await Promise.all(paths.map((path) => storage.delete(path)));
      },
    },
  });

  return app;
}

/** SMTP when SMTP_URL is set; otherwise emails are logged, with bodies only in development. */
function createAppMailer(config: AppConfig, logger: FastifyBaseLogger): Mailer {
  const mailLogger = logger.child({ component: 'mailer' });
  if (!config.smtpUrl && config.nodeEnv === 'production') {
    mailLogger.warn('SMTP_URL is not set: emails (invitations) are logged, not sent');
  }
  return createMailer({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    logger: mailLogger,
    // Invitation links are credentials: only a developer's own terminal may show them.
    logBodies: config.nodeEnv === 'development',
  });
}
