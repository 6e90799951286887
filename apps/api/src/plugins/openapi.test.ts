import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app';
import { fixtureRoutes } from '../test-support/fixture-routes';
import { createTestApp, sharedTestDatabase } from '../test-support/test-app';

const db = sharedTestDatabase();
let app: App;

beforeAll(async () => {
  await db.setup();
  ({ app } = await createTestApp({
    database: db.get(),
    plugins: [fixtureRoutes],
    config: { publicUrl: 'https://api.example.com' },
  }));
});

afterAll(async () => {
  await app?.close();
  await db.teardown();
});

interface OpenApiDoc {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

describe('OpenAPI', () => {
  it('serves Swagger UI at /docs', async () => {
    const res = await app.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('swagger-ui');
  });

  it('serves the document at /docs/json with the ErrorResponse schema', async () => {
    const res = await app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<OpenApiDoc>();
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(doc.servers).toEqual([{ url: 'https://api.example.com' }]);
    expect(doc.components.schemas.ErrorResponse).toBeDefined();
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'bearerAuth']);
  });

  it('documents probes at the root and API routes under /api/v1, each with error responses', async () => {
    const doc = (await app.inject({ url: '/docs/json' })).json<OpenApiDoc>();
    expect(doc.paths['/healthz']?.get).toBeDefined();
    expect(doc.paths['/readyz']?.get?.responses['503']).toBeDefined();
    const post = doc.paths['/api/v1/test/things/{id}']?.post;
    expect(post?.requestBody).toBeDefined();
    const ref = { $ref: '#/components/schemas/ErrorResponse' };
    expect(JSON.stringify(post?.responses['4XX'])).toContain(JSON.stringify(ref));
    expect(JSON.stringify(post?.responses['5XX'])).toContain(JSON.stringify(ref));
    // Docs' own routes are not API operations.
    expect(Object.keys(doc.paths).some((path) => path.startsWith('/docs'))).toBe(false);
  });
});
