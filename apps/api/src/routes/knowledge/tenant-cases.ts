import type { ExemptRoute, TenantFixture, TenantRouteCase } from '../../tenancy/tenant-routes';

/** Cross-tenant registry entries of the knowledge-base routes (spread into tenancy/tenant-routes.ts). */

async function seedBase(f: TenantFixture): Promise<{ id: string }> {
  const kb = await f.request(f.ownerA, 'POST', '/api/v1/knowledge-bases', { name: `KB ${Math.random()}` });
  return { id: String(kb.id) };
}

const notFound = 'KNOWLEDGE_BASE_NOT_FOUND' as const;

export const knowledgeBaseTenantRoutes: Record<string, TenantRouteCase | ExemptRoute> = {
  'GET /api/v1/knowledge-bases/:id': { notFound, seed: seedBase, ownerStatus: 200 },
  'PUT /api/v1/knowledge-bases/:id': {
    notFound,
    seed: seedBase,
    body: () => ({ name: 'Renamed' }),
    ownerStatus: 200,
  },
  'DELETE /api/v1/knowledge-bases/:id': { notFound, seed: seedBase, ownerStatus: 204 },
  'POST /api/v1/knowledge-bases/:id/query': {
    notFound,
    seed: seedBase,
    body: () => ({ query: 'anything', mode: 'keyword' }),
    ownerStatus: 200,
  },
};
