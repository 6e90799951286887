import type { ErrorCode } from '@agentflow/contracts';
import type { App } from '../app';
import { agentTenantRoutes } from '../routes/agents/tenant-cases';
import { executionTenantRoutes } from '../routes/executions/tenant-cases';
import { hookTenantRoutes } from '../routes/hooks/tenant-cases';
import { knowledgeBaseTenantRoutes } from '../routes/knowledge/tenant-cases';
import { knowledgeDocumentTenantRoutes } from '../routes/knowledge/tenant-cases-documents';
import { addMember, type TestUser } from '../test-support/auth';
import type { CatalogRoute } from './route-catalog';

/**
 * The cross-tenant registry: one entry per route whose path takes a parameter, keyed
 * `METHOD /full/path/:param` exactly as Fastify registers it. cross-tenant.test.ts fails for any such
 * route without an entry, so a new route is covered (or consciously exempted) before it merges.
 *
 * An entry says how to create the resource in org A (`seed`, returning the path params) and which
 * `*_NOT_FOUND` code org B must get for it. The suite then calls the route as org B's owner and as
 * an org B API key holding every scope, and expects exactly what a random, nonexistent id gets:
 * the 404 with that code (never a 403 or 2xx that would reveal A's resource). Last, A's own owner
 * calls it and must get `ownerStatus`, which proves the seed and the request were right.
 */
export interface TenantRouteCase {
  /** What org B gets for org A's resource (and for an id that does not exist). */
  notFound: ErrorCode;
  /** Creates the resource in org A; returns the path params (`{ id }`). Seed through the API. */
  seed(fixture: TenantFixture): Promise<Record<string, string>>;
  /** A body the route accepts, so the call reaches the lookup instead of failing validation (422). */
  body?(caller: TestUser): unknown;
  /** What A's own owner gets for the same call (e.g. 200, 204). */
  ownerStatus: number;
}

/** A route with params that is not an org resource (e.g. a public token lookup): say why. */
export interface ExemptRoute {
  exempt: string;
}

export interface TenantFixture {
  app: App;
  /** Owner of org A, the org that owns every seeded resource. */
  ownerA: TestUser;
  /** Calls the API as `user` and returns the JSON body; throws on a non-2xx so a broken seed is loud. */
  request(user: TestUser, method: string, url: string, body?: unknown): Promise<Record<string, unknown>>;
}

async function createTeam(f: TenantFixture): Promise<string> {
  const team = await f.request(f.ownerA, 'POST', '/api/v1/org/teams', { name: `Team ${Math.random()}` });
  return String(team.id);
}

async function viewerOfA(f: TenantFixture): Promise<string> {
  const member = await addMember(f.app, f.ownerA.org.id, 'viewer');
  return member.user.id;
}

// Echo models need no key or network, so the test-connection call below stays local.
async function createModel(f: TenantFixture): Promise<string> {
  const model = await f.request(f.ownerA, 'POST', '/api/v1/models', {
    name: `Model ${Math.random()}`,
    provider: 'echo',
    model_identifier: 'echo',
  });
  return String(model.id);
}

async function createIntegration(f: TenantFixture): Promise<string> {
  const integration = await f.request(f.ownerA, 'POST', '/api/v1/integrations', {
    provider: 'http_bearer',
    name: `Integration ${Math.random()}`,
    credentials: { token: 'cross-tenant-token-0123456789' },
  });
  return String(integration.id);
}

export const tenantRoutes: Record<string, TenantRouteCase | ExemptRoute> = {
  ...agentTenantRoutes,
  ...executionTenantRoutes,
  ...hookTenantRoutes,
  ...knowledgeBaseTenantRoutes,
  ...knowledgeDocumentTenantRoutes,
  'GET /api/v1/models/:id': {
    notFound: 'MODEL_NOT_FOUND',
    seed: async (f) => ({ id: await createModel(f) }),
    ownerStatus: 200,
  },
  'PUT /api/v1/models/:id': {
    notFound: 'MODEL_NOT_FOUND',
    seed: async (f) => ({ id: await createModel(f) }),
    body: () => ({ params: { temperature: 0.5 } }),
    ownerStatus: 200,
  },
  'DELETE /api/v1/models/:id': {
    notFound: 'MODEL_NOT_FOUND',
    seed: async (f) => ({ id: await createModel(f) }),
    ownerStatus: 204,
  },
  'POST /api/v1/models/:id/test': {
    notFound: 'MODEL_NOT_FOUND',
    seed: async (f) => ({ id: await createModel(f) }),
    ownerStatus: 200,
  },
  'DELETE /api/v1/integrations/:id': {
    notFound: 'INTEGRATION_NOT_FOUND',
    seed: async (f) => ({ id: await createIntegration(f) }),
    ownerStatus: 204,
  },
  'GET /api/v1/org/teams/:id': {
    notFound: 'TEAM_NOT_FOUND',
    seed: async (f) => ({ id: await createTeam(f) }),
    ownerStatus: 200,
  },
  'PUT /api/v1/org/teams/:id': {
    notFound: 'TEAM_NOT_FOUND',
    seed: async (f) => ({ id: await createTeam(f) }),
    body: () => ({ description: 'renamed by a test' }),
    ownerStatus: 200,
  },
  'DELETE /api/v1/org/teams/:id': {
    notFound: 'TEAM_NOT_FOUND',
    seed: async (f) => ({ id: await createTeam(f) }),
    ownerStatus: 204,
  },
  'POST /api/v1/org/teams/:id/members': {
    notFound: 'TEAM_NOT_FOUND',
    seed: async (f) => ({ id: await createTeam(f) }),
    // The caller adds someone of their own org: only the team is foreign.
    body: (caller) => ({ user_id: caller.user.id }),
    ownerStatus: 201,
  },
  'DELETE /api/v1/org/teams/:id/members/:userId': {
    notFound: 'TEAM_NOT_FOUND',
    seed: async (f) => {
      const id = await createTeam(f);
      const userId = await viewerOfA(f);
      await f.request(f.ownerA, 'POST', `/api/v1/org/teams/${id}/members`, { user_id: userId });
      return { id, userId };
    },
    ownerStatus: 204,
  },
  'PUT /api/v1/org/members/:id/role': {
    notFound: 'MEMBER_NOT_FOUND',
    seed: async (f) => ({ id: await viewerOfA(f) }),
    body: () => ({ role: 'editor' }),
    ownerStatus: 200,
  },
  'DELETE /api/v1/org/members/:id': {
    notFound: 'MEMBER_NOT_FOUND',
    seed: async (f) => ({ id: await viewerOfA(f) }),
    ownerStatus: 204,
  },
  'DELETE /api/v1/org/invitations/:id': {
    notFound: 'INVITATION_NOT_FOUND',
    seed: async (f) => {
      const email = `invitee-${Math.random().toString(36).slice(2)}@example.com`;
      const invitation = await f.request(f.ownerA, 'POST', '/api/v1/org/members/invite', { email });
      return { id: String(invitation.id) };
    },
    ownerStatus: 204,
  },
  'DELETE /api/v1/org/api-keys/:id': {
    notFound: 'API_KEY_NOT_FOUND',
    seed: async (f) => {
      const key = await f.request(f.ownerA, 'POST', '/api/v1/org/api-keys', {
        name: 'cross-tenant',
        scopes: ['agents:read'],
      });
      return { id: String(key.id) };
    },
    ownerStatus: 204,
  },
};

/** Registered routes with a path parameter but no entry, and entries whose route no longer exists. */
export function coverage(routes: readonly CatalogRoute[]): { missing: string[]; stale: string[] } {
  const withParams = routes.filter((route) => route.url.includes(':')).map((r) => `${r.method} ${r.url}`);
  return {
    missing: withParams.filter((key) => !(key in tenantRoutes)),
    stale: Object.keys(tenantRoutes).filter((key) => !withParams.includes(key)),
  };
}

export function isExempt(entry: TenantRouteCase | ExemptRoute): entry is ExemptRoute {
  return 'exempt' in entry;
}
