import type { TenantFixture, TenantRouteCase } from '../../tenancy/tenant-routes';

/**
 * Cross-tenant registry entries of the agent routes (spread into tenancy/tenant-routes.ts). Each seeds
 * a starter agent in org A, published `versions` times.
 */

async function seedAgent(f: TenantFixture, versions = 0): Promise<{ id: string }> {
  const agent = await f.request(f.ownerA, 'POST', '/api/v1/agents', {
    name: 'Tenant test',
    template: 'starter',
  });
  const id = String(agent.id);
  for (let i = 1; i <= versions; i++) {
    await f.request(f.ownerA, 'POST', `/api/v1/agents/${id}/publish`, { change_message: `v${i}` });
  }
  return { id };
}

const notFound = 'AGENT_NOT_FOUND' as const;

export const agentTenantRoutes: Record<string, TenantRouteCase> = {
  'GET /api/v1/agents/:id': { notFound, seed: (f) => seedAgent(f), ownerStatus: 200 },
  'PUT /api/v1/agents/:id': {
    notFound,
    seed: (f) => seedAgent(f),
    body: () => ({ description: 'edited by a test' }),
    ownerStatus: 200,
  },
  'DELETE /api/v1/agents/:id': { notFound, seed: (f) => seedAgent(f), ownerStatus: 204 },
  'PUT /api/v1/agents/:id/status': {
    notFound,
    seed: (f) => seedAgent(f, 1),
    body: () => ({ status: 'active' }),
    ownerStatus: 200,
  },
  'POST /api/v1/agents/:id/clone': {
    notFound,
    seed: (f) => seedAgent(f),
    body: () => ({}),
    ownerStatus: 201,
  },
  'POST /api/v1/agents/:id/publish': {
    notFound,
    seed: (f) => seedAgent(f),
    body: () => ({ change_message: 'cross-tenant' }),
    ownerStatus: 201,
  },
  'POST /api/v1/agents/:id/rollback': {
    notFound,
    seed: (f) => seedAgent(f, 1),
    body: () => ({ version: 1 }),
    ownerStatus: 201,
  },
  'POST /api/v1/agents/:id/test': {
    notFound,
    seed: (f) => seedAgent(f),
    body: () => ({ trigger_data: { message: 'hi' } }),
    ownerStatus: 200,
  },
  'GET /api/v1/agents/:id/versions': { notFound, seed: (f) => seedAgent(f, 1), ownerStatus: 200 },
  // No query: the diff of the latest publish (versions 1 -> 2).
  'GET /api/v1/agents/:id/versions/diff': { notFound, seed: (f) => seedAgent(f, 2), ownerStatus: 200 },
  'GET /api/v1/agents/:id/versions/:n': {
    notFound,
    seed: async (f) => ({ ...(await seedAgent(f, 1)), n: '1' }),
    ownerStatus: 200,
  },
};
