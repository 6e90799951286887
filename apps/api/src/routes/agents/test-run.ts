import { agentParamsSchema, testAgentBodySchema, testAgentResultSchema } from '@agentflow/contracts';
import { maxDryRunSeconds, testAgent } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authorize, serviceContext } from '../../auth';
import { userSecurity } from '../org/openapi';
import type { AgentRoutesOptions } from './options';

export const agentTestRoutes: FastifyPluginAsyncZod<AgentRoutesOptions> = async (app, options) => {
  app.post(
    '/agents/:id/test',
    {
      onRequest: authorize('agents:execute'),
      schema: {
        tags: ['agents'],
        summary: 'Dry run: execute the draft (or a given definition) in memory',
        description:
          'Returns every step with input, output, tokens, cost and duration. Nothing is stored or billed. ' +
          `Bounded by min(settings.timeout_seconds, ${maxDryRunSeconds}) s (status failed, EXECUTION_TIMEOUT). ` +
          'A human approval node ends the run with status waiting_approval and its request in ' +
          '`pending_approval` (a dry run cannot be resumed). An invalid definition is a 422 with `details.problems`.',
        security: userSecurity,
        params: agentParamsSchema,
        body: testAgentBodySchema,
        response: { 200: testAgentResultSchema },
      },
    },
    async (request, reply) => {
      // Stop the run when the client goes away: 'close' before the response finished means an abort.
      const abort = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableFinished) abort.abort(new Error('The client closed the request'));
      };
      reply.raw.on('close', onClose);
      try {
        return await testAgent(serviceContext(request), request.params.id, request.body, {
          signal: abort.signal,
          llm: {
            keyring: app.keyring,
            endpointPolicy: options.endpointPolicy,
            httpPolicy: options.httpPolicy,
          },
        });
      } finally {
        reply.raw.off('close', onClose);
      }
    },
  );
};
