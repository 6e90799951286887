import type { TenantFixture, TenantRouteCase } from '../../tenancy/tenant-routes';

/**
 * Cross-tenant registry entries of the execution routes (spread into tenancy/tenant-routes.ts). Seeds
 * a starter agent in org A, published and active, and (for the execution routes) one execution of it.
 */

async function seedActiveAgent(f: TenantFixture): Promise<{ id: string }> {
  const agent = await f.request(f.ownerA, 'POST', '/api/v1/agents', {
    name: 'Tenant run',
    template: 'starter',
  });
  const id = String(agent.id);
  await f.request(f.ownerA, 'POST', `/api/v1/agents/${id}/publish`, { change_message: 'v1' });
  await f.request(f.ownerA, 'PUT', `/api/v1/agents/${id}/status`, { status: 'active' });
  return { id };
}

async function seedExecution(f: TenantFixture): Promise<{ id: string }> {
  const agent = await seedActiveAgent(f);
  const started = await f.request(f.ownerA, 'POST', `/api/v1/agents/${agent.id}/execute`, {
    trigger_data: { message: 'cross-tenant' },
  });
  return { id: String(started.execution_id) };
}

const notFound = 'EXECUTION_NOT_FOUND' as const;

export const executionTenantRoutes: Record<string, TenantRouteCase> = {
  'POST /api/v1/agents/:id/execute': {
    notFound: 'AGENT_NOT_FOUND',
    seed: seedActiveAgent,
    body: () => ({ trigger_data: { message: 'hi' } }),
    ownerStatus: 202,
  },
  'GET /api/v1/executions/:id': { notFound, seed: seedExecution, ownerStatus: 200 },
  'GET /api/v1/executions/:id/steps': { notFound, seed: seedExecution, ownerStatus: 200 },
  'GET /api/v1/executions/:id/logs': { notFound, seed: seedExecution, ownerStatus: 200 },
  'GET /api/v1/executions/:id/events': { notFound, seed: seedExecution, ownerStatus: 200 },
};
