import { AppError } from '@agentflow/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * Routes that exist only in tests (mounted under /api/v1/test via buildApp's `plugins`): they exercise
 * validation, error mapping and logging before any product route exists. Never registered by main.ts.
 */
export const fixtureRoutes: FastifyPluginAsyncZod = async (app) => {
  // They exercise the spine (validation, errors, logging, drain), not authentication.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, public: true };
  });

  app.post(
    '/test/things/:id',
    {
      schema: {
        params: z.object({ id: z.coerce.number().int().positive() }),
        querystring: z.object({ mode: z.enum(['fast', 'safe']).default('safe') }),
        body: z
          .object({
            name: z.string().min(1),
            settings: z.object({ timeout_seconds: z.number().int().max(300) }).optional(),
          })
          .strict(),
        response: { 200: z.object({ id: z.number(), name: z.string(), mode: z.string() }) },
      },
    },
    async (request) => ({ id: request.params.id, name: request.body.name, mode: request.query.mode }),
  );

  app.get('/test/app-error', async () => {
    throw new AppError('AGENT_NOT_FOUND', 'Agent agt_123 not found', { agent_id: 'agt_123' });
  });

  app.get('/test/boom', async () => {
    throw new Error('connect failed: postgres://admin:hunter2@db.internal/prod');
  });

  app.get('/test/rate-limited', async () => {
    throw Object.assign(new Error('Rate limit exceeded, retry in 1 minute'), { statusCode: 429 });
  });

  app.get(
    '/test/bad-response',
    { schema: { response: { 200: z.object({ count: z.number() }) } } },
    // Deliberately violates the response schema: the serializer must turn it into a 500.
    async () => ({ count: 'many' }) as unknown as { count: number },
  );

  app.post('/test/log-secrets', async (request) => {
    request.log.info({ headers: request.headers, body: request.body }, 'echoing request for redaction test');
    return { ok: true };
  });

  app.get(
    '/test/slow',
    { schema: { querystring: z.object({ ms: z.coerce.number().int().min(0).max(60_000) }) } },
    async (request) => {
      await new Promise((resolve) => setTimeout(resolve, request.query.ms));
      return { ok: true, waited_ms: request.query.ms };
    },
  );
};
