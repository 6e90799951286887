import { type ErrorEnvelope, errorEnvelopeSchema, healthSchema, readinessSchema } from '@agentflow/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { checkReadiness, type ReadinessDeps } from './readiness';

export type HealthRoutesOptions = Omit<ReadinessDeps, 'log'>;

/**
 * Probes, outside /api/v1 because load balancers and orchestrators call them, not API clients.
 * /healthz: the process is up (never touches dependencies, so a DB outage does not restart pods).
 * /readyz: every configured dependency answers; 503 takes the instance out of rotation.
 */
export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = async (app, options) => {
  app.get(
    '/healthz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['system'],
        summary: 'Liveness: the process is up',
        response: { 200: healthSchema },
      },
    },
    async () => ({ status: 'ok' as const, uptime_s: Math.round(process.uptime()) }),
  );

  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['system'],
        summary: 'Readiness: database and (when configured) Redis answer',
        response: { 200: readinessSchema, 503: errorEnvelopeSchema },
      },
    },
    async (request, reply) => {
      const readiness = await checkReadiness({ ...options, log: request.log });
      if (readiness.status === 'ok') return readiness;
      const failed = Object.entries(readiness.checks)
        .filter(([, check]) => check.status === 'error')
        .map(([name]) => name);
      const body: ErrorEnvelope = {
        error: {
          code: 'SERVICE_UNAVAILABLE',
          message: `Not ready: ${failed.join(', ')} unavailable.`,
          details: { failed, checks: readiness.checks },
          request_id: request.id,
        },
      };
      return reply.code(503).send(body);
    },
  );
};
