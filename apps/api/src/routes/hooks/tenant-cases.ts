import type { ExemptRoute, TenantFixture, TenantRouteCase } from '../../tenancy/tenant-routes';

/**
 * Cross-tenant registry entries of the webhook routes (spread into tenancy/tenant-routes.ts). The
 * management routes seed a webhook-triggered starter agent in org A and publish it, which creates its
 * endpoint.
 */

async function seedWebhookAgent(f: TenantFixture): Promise<{ id: string }> {
  const agent = await f.request(f.ownerA, 'POST', '/api/v1/agents', {
    name: 'Tenant hook',
    trigger_type: 'webhook',
    template: 'starter',
  });
  const id = String(agent.id);
  await f.request(f.ownerA, 'POST', `/api/v1/agents/${id}/publish`, { change_message: 'v1' });
  return { id };
}

const notFound = 'AGENT_NOT_FOUND' as const;
const ingress: ExemptRoute = {
  exempt:
    'public webhook ingress: :hookId is an unguessable public address, not an id looked up in the ' +
    'caller’s org; the org comes from the endpoint row and the signature or token authenticates',
};

export const hookTenantRoutes: Record<string, TenantRouteCase | ExemptRoute> = {
  'POST /api/v1/hooks/:hookId': ingress,
  'PUT /api/v1/hooks/:hookId': ingress,
  'GET /api/v1/hooks/:hookId': ingress,
  'GET /api/v1/agents/:id/webhook': { notFound, seed: seedWebhookAgent, ownerStatus: 200 },
  'PATCH /api/v1/agents/:id/webhook': {
    notFound,
    seed: seedWebhookAgent,
    body: () => ({ mode: 'token' }),
    ownerStatus: 200,
  },
  'POST /api/v1/agents/:id/webhook/rotate': {
    notFound,
    seed: seedWebhookAgent,
    body: () => ({ overlap_seconds: 60 }),
    ownerStatus: 200,
  },
  'POST /api/v1/agents/:id/webhook/secret': { notFound, seed: seedWebhookAgent, ownerStatus: 200 },
};
