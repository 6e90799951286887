import type { TenantFixture, TenantRouteCase } from '../../tenancy/tenant-routes';
import { approvalDefinition } from './runtime-fixtures';

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

/** An execution of a human-approval agent, waiting for a decision (cancel and approve need one). */
async function seedWaitingExecution(f: TenantFixture): Promise<{ id: string }> {
  const definition = approvalDefinition();
  const agent = await f.request(f.ownerA, 'POST', '/api/v1/agents', { name: 'Tenant approval', definition });
  const agentId = String(agent.id);
  await f.request(f.ownerA, 'POST', `/api/v1/agents/${agentId}/publish`, { change_message: 'v1' });
  await f.request(f.ownerA, 'PUT', `/api/v1/agents/${agentId}/status`, { status: 'active' });
  const started = await f.request(f.ownerA, 'POST', `/api/v1/agents/${agentId}/execute`, {
    trigger_data: { what: 'cross-tenant' },
  });
  const id = String(started.execution_id);
  const deadline = Date.now() + 20_000;
  while ((await f.request(f.ownerA, 'GET', `/api/v1/executions/${id}`)).status !== 'waiting_approval') {
    if (Date.now() > deadline) throw new Error(`seeded execution ${id} never waited for approval`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { id };
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
  // The WebSocket stream, called as a plain GET: auth and the org-scoped lookup run before the upgrade,
  // so org B gets the same 404 as over a socket; A's owner passes them and is told to upgrade (426).
  // The socket path itself is covered in stream.test.ts ("another org's execution ... 404").
  'POST /api/v1/executions/:id/cancel': { notFound, seed: seedWaitingExecution, ownerStatus: 202 },
  'POST /api/v1/executions/:id/approve': {
    notFound,
    seed: seedWaitingExecution,
    body: () => ({ decision: 'approve', comment: 'cross-tenant' }),
    ownerStatus: 202,
  },
  'GET /api/v1/executions/:id/stream': { notFound, seed: seedExecution, ownerStatus: 426 },
};
