import {
  agentParamsSchema,
  rotatedWebhookSchema,
  rotateWebhookSecretBodySchema,
  updateWebhookBodySchema,
  webhookEndpointSchema,
  webhookSecretSchema,
} from '@agentflow/contracts';
import {
  getAgentWebhook,
  revealAgentWebhookSecret,
  rotateAgentWebhookSecret,
  updateAgentWebhook,
  type WebhookContext,
} from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authorize, serviceContext } from '../../auth';
import { userSecurity } from '../org/openapi';

/**
 * An agent's webhook endpoint (created when a version whose trigger is a webhook is published):
 * read it, switch mode / turn it off, rotate and reveal its secret. Another org's agent is
 * AGENT_NOT_FOUND; an agent without an endpoint is WEBHOOK_NOT_FOUND.
 */
export const hookManageRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['webhooks'];
  const security = userSecurity;
  const context = (request: Parameters<typeof serviceContext>[0]): WebhookContext => ({
    ...serviceContext(request),
    keyring: app.keyring,
  });

  app.get(
    '/agents/:id/webhook',
    {
      onRequest: authorize('agents:view'),
      schema: {
        tags,
        summary: 'The agent’s webhook endpoint (path, mode, secret hint)',
        security,
        params: agentParamsSchema,
        response: { 200: webhookEndpointSchema },
      },
    },
    async (request) => getAgentWebhook(context(request), request.params.id),
  );

  app.patch(
    '/agents/:id/webhook',
    {
      onRequest: authorize('agents:edit'),
      schema: {
        tags,
        summary: 'Switch the verification mode (signed | token) or turn deliveries on/off',
        security,
        params: agentParamsSchema,
        body: updateWebhookBodySchema,
        response: { 200: webhookEndpointSchema },
      },
    },
    async (request) => updateAgentWebhook(context(request), request.params.id, request.body),
  );

  app.post(
    '/agents/:id/webhook/rotate',
    {
      onRequest: authorize('agents:edit'),
      schema: {
        tags,
        summary: 'Rotate the secret; the old one keeps verifying for overlap_seconds (default 24 h)',
        description: 'Answers the new secret once (reveal it again with POST .../webhook/secret). Audited.',
        security,
        params: agentParamsSchema,
        body: rotateWebhookSecretBodySchema.optional(),
        response: { 200: rotatedWebhookSchema },
      },
    },
    async (request) => rotateAgentWebhookSecret(context(request), request.params.id, request.body ?? {}),
  );

  app.post(
    '/agents/:id/webhook/secret',
    {
      onRequest: authorize('agents:edit'),
      schema: {
        tags,
        summary: 'Reveal the current secret (owner, admin, editor; audited)',
        security,
        params: agentParamsSchema,
        response: { 200: webhookSecretSchema },
      },
    },
    async (request) => revealAgentWebhookSecret(context(request), request.params.id),
  );
};
