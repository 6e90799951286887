import type { ExemptRoute, TenantFixture, TenantRouteCase } from '../../tenancy/tenant-routes';

/** Cross-tenant registry entries of the document routes (spread into tenancy/tenant-routes.ts). */

async function seedBase(f: TenantFixture): Promise<{ id: string }> {
  const kb = await f.request(f.ownerA, 'POST', '/api/v1/knowledge-bases', { name: `KB ${Math.random()}` });
  return { id: String(kb.id) };
}

async function seedDocument(f: TenantFixture): Promise<{ id: string; docId: string }> {
  const { id } = await seedBase(f);
  const doc = await f.request(f.ownerA, 'POST', `/api/v1/knowledge-bases/${id}/documents/text`, {
    name: 'Seeded',
    text: `Seeded document ${Math.random()}`,
  });
  return { id, docId: String(doc.id) };
}

// Every document route looks the base up first: another org's base (or document) reads as a missing base.
const notFound = 'KNOWLEDGE_BASE_NOT_FOUND' as const;

export const knowledgeDocumentTenantRoutes: Record<string, TenantRouteCase | ExemptRoute> = {
  // No body: the base lookup comes before reading the upload, so A's owner gets 415 (not multipart).
  'POST /api/v1/knowledge-bases/:id/documents': { notFound, seed: seedBase, ownerStatus: 415 },
  // A loopback URL: A's owner gets past the lookup to the SSRF check (422), nothing is fetched.
  'POST /api/v1/knowledge-bases/:id/documents/url': {
    notFound,
    seed: seedBase,
    body: () => ({ url: 'http://127.0.0.1:9/internal' }),
    ownerStatus: 422,
  },
  'POST /api/v1/knowledge-bases/:id/documents/text': {
    notFound,
    seed: seedBase,
    body: () => ({ name: 'Pasted', text: `Cross-tenant text ${Math.random()}` }),
    ownerStatus: 201,
  },
  'GET /api/v1/knowledge-bases/:id/documents': { notFound, seed: seedBase, ownerStatus: 200 },
  'DELETE /api/v1/knowledge-bases/:id/documents/:docId': { notFound, seed: seedDocument, ownerStatus: 204 },
  'POST /api/v1/knowledge-bases/:id/documents/:docId/reindex': {
    notFound,
    seed: seedDocument,
    ownerStatus: 202,
  },
  'POST /api/v1/knowledge-bases/:id/reindex': { notFound, seed: seedBase, ownerStatus: 202 },
};
