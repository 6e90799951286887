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
    config: { corsOrigins: ['http://localhost:3000', 'https://app.example.com'] },
  }));
});

afterAll(async () => {
  await app?.close();
  await db.teardown();
});

describe('security headers', () => {
  it('sets helmet headers on API responses, errors included', async () => {
    for (const url of ['/healthz', '/api/v1/nope']) {
      const res = await app.inject({ url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('keeps a CSP on /docs that allows its same-origin scripts and styles', async () => {
    const page = await app.inject({ url: '/docs/' });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    // Over plain http, upgrading requests would break the UI's asset loads.
    expect(csp).not.toContain('upgrade-insecure-requests');
    // Swagger UI references only same-origin assets, which the policy allows.
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset.startsWith('./static/')).toBe(true);
      const res = await app.inject({ url: `/docs/${asset.slice(2)}` });
      expect(res.statusCode, asset).toBe(200);
    }
    expect(page.body).not.toMatch(/<script>[^<]/); // no inline script the CSP would block
  });
});

describe('CORS', () => {
  it('allows a listed origin with credentials and exposes X-Request-ID', async () => {
    const res = await app.inject({ url: '/healthz', headers: { origin: 'https://app.example.com' } });
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(String(res.headers['access-control-expose-headers'])).toContain('x-request-id');
  });

  it('exposes the rate-limit headers and Retry-After to the web app', async () => {
    const res = await app.inject({ url: '/healthz', headers: { origin: 'https://app.example.com' } });
    const exposed = String(res.headers['access-control-expose-headers']).split(/\s*,\s*/);
    expect(exposed).toEqual(
      expect.arrayContaining([
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
        'retry-after',
      ]),
    );
  });

  it('gives an unlisted origin no Access-Control-Allow-Origin', async () => {
    const res = await app.inject({ url: '/healthz', headers: { origin: 'https://evil.example.com' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a preflight from a listed origin for a JSON POST', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/test/things/1',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(String(res.headers['access-control-allow-methods'])).toContain('PATCH');
  });

  it('gives a preflight from an unlisted origin no allow headers', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/test/things/1',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
