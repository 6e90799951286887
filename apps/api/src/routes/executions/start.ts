import { agentParamsSchema, executeAgentBodySchema, executeAgentResultSchema } from '@agentflow/contracts';
import { type ExecutionQueue, startExecution } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authorize, requireAuth, serviceContext } from '../../auth';
import { userSecurity } from '../org/openapi';

export interface ExecutionStartRoutesOptions {
  queue: ExecutionQueue;
}

export const executionStartRoutes: FastifyPluginAsyncZod<ExecutionStartRoutesOptions> = async (
  app,
  options,
) => {
  app.post(
    '/agents/:id/execute',
    {
      onRequest: authorize('agents:execute'),
      schema: {
        tags: ['executions'],
        summary: 'Start an execution of the published version (asynchronous)',
        description:
          'The agent must be active and published. Answers 202 with the execution id as soon as it is ' +
          'queued; follow it with GET /executions/:id, /steps, /logs and /events. The same ' +
          '`idempotency_key` within 24 h returns the same execution. More pending + running executions ' +
          'than the agent’s concurrency_limit: 429 CONCURRENCY_LIMIT_EXCEEDED.',
        security: userSecurity,
        params: agentParamsSchema,
        body: executeAgentBodySchema,
        response: { 202: executeAgentResultSchema },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      const result = await startExecution(
        serviceContext(request),
        {
          agentId: request.params.id,
          triggerData: request.body.trigger_data,
          triggeredBy: auth.kind === 'api_key' ? 'api' : 'manual',
          idempotencyKey: request.body.idempotency_key,
        },
        { queue: options.queue },
      );
      return reply.code(202).send(result);
    },
  );
};
