import { randomUUID } from 'node:crypto';
import { apiKeyScopes } from '@agentflow/contracts';
import { APP_ROLE } from '@agentflow/db';
import type { LightMyRequestResponse } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app';
import { createApiKey, createUserWithOrg, type TestApiKey, type TestUser } from '../test-support/auth';
import { createTestApp, sharedTestDatabase } from '../test-support/test-app';
import { routesOf } from './route-catalog';
import { coverage, isExempt, type TenantFixture, tenantRoutes } from './tenant-routes';

/**
 * Org B must not reach org A's resources through any route that takes an id: it gets the same 404
 * (`*_NOT_FOUND`) as for an id that does not exist. Data-driven: every registered route with a path
 * parameter must have an entry in ./tenant-routes.ts, or the first test fails and says what to add.
 * The app runs as the database app role, so RLS is in force as in production.
 */

const REGISTRY = 'apps/api/src/tenancy/tenant-routes.ts';
const db = sharedTestDatabase();
let app: App;
let ownerA: TestUser;
let ownerB: TestUser;
let keyB: TestApiKey;
let fixture: TenantFixture;

beforeAll(async () => {
  await db.setup();
  ({ app } = await createTestApp({ database: db.get().connectAs(APP_ROLE) }));
  ownerA = await createUserWithOrg(app, { orgName: 'Org A' });
  ownerB = await createUserWithOrg(app, { orgName: 'Org B' });
  // Every scope: a denial must come from tenancy, not from a missing scope.
  keyB = await createApiKey(app, ownerB.org.id, [...apiKeyScopes]);
  fixture = { app, ownerA, request: requestOrThrow };
});
afterAll(async () => {
  await app?.close();
  await db.teardown();
});

function fill(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`seed returned no value for :${name} of ${pattern}`);
    return encodeURIComponent(value);
  });
}

function call(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
}

async function requestOrThrow(user: TestUser, method: string, url: string, body?: unknown) {
  const res = await call(method, url, user.headers, body);
  if (res.statusCode >= 300) {
    throw new Error(`seed request ${method} ${url} failed: ${res.statusCode} ${res.body}`);
  }
  return (res.body ? res.json() : {}) as Record<string, unknown>;
}

const outcome = (res: LightMyRequestResponse) => ({
  status: res.statusCode,
  code: (res.json() as { error?: { code?: string } }).error?.code,
});

describe('cross-tenant access', () => {
  it(`every route with a path parameter has an entry in ${REGISTRY}`, () => {
    expect(routesOf(app).filter((route) => route.url.includes(':')).length).toBeGreaterThan(0);
    const { missing, stale } = coverage(routesOf(app));
    expect(
      missing,
      `These routes take a path parameter but ${REGISTRY} has no entry for them. Add one per route:\n` +
        `  '<METHOD> <path>': { notFound: '<RESOURCE>_NOT_FOUND', seed: async (f) => ({ id: <id of a ` +
        `resource created in org A, e.g. via f.request(f.ownerA, 'POST', ...)> }), body?: (caller) => ` +
        `<a valid body>, ownerStatus: <2xx org A gets> }\n` +
        `or, if the parameter is not an org resource (a public token...), { exempt: '<why>' }.`,
    ).toEqual([]);
    expect(stale, `entries in ${REGISTRY} for routes that no longer exist: remove them`).toEqual([]);
  });

  it('a route added later is caught: no entry, no pass', async () => {
    const leaky: FastifyPluginAsyncZod = async (instance) => {
      instance.get('/leaky/:id', async () => ({}));
      instance.delete('/org/things/:thingId', async () => ({}));
    };
    const { app: other } = await createTestApp({ database: db.get(), plugins: [leaky] });
    try {
      expect(coverage(routesOf(other)).missing).toEqual([
        'GET /api/v1/leaky/:id',
        'DELETE /api/v1/org/things/:thingId',
      ]);
    } finally {
      await other.close();
    }
  });

  for (const [route, entry] of Object.entries(tenantRoutes)) {
    if (isExempt(entry)) {
      // An exemption is a reviewed decision, so it must say why (e.g. the id is not a tenant resource).
      it(`${route} is exempt: ${entry.exempt}`, () => {
        expect(entry.exempt.trim().length).toBeGreaterThanOrEqual(10);
      });
      continue;
    }
    const [method, pattern] = route.split(' ') as [string, string];

    it(`${route}: org B gets ${entry.notFound}, as for an id that does not exist`, async () => {
      const params = await entry.seed(fixture);
      const ghost = Object.fromEntries(Object.keys(params).map((name) => [name, randomUUID()]));
      const callers = [
        { who: 'org B owner (JWT)', headers: ownerB.headers, apiKey: false },
        { who: 'org B API key (all scopes)', headers: keyB.headers, apiKey: true },
      ];
      for (const caller of callers) {
        const body = entry.body?.(ownerB);
        const real = outcome(await call(method, fill(pattern, params), caller.headers, body));
        const missing = outcome(await call(method, fill(pattern, ghost), caller.headers, body));
        // Indistinguishable from a nonexistent id: nothing to learn about org A's resource.
        expect(real, `${caller.who}: org A's id vs a random id`).toEqual(missing);
        if (caller.apiKey && real.status === 403) {
          // The route is closed to API keys whatever the id (scope check before any lookup).
          continue;
        }
        expect(real, caller.who).toEqual({ status: 404, code: entry.notFound });
      }
      // The same call by org A's owner works: the seed was real and the request well-formed.
      const own = await call(method, fill(pattern, params), ownerA.headers, entry.body?.(ownerA));
      expect(own.statusCode, `org A owner: ${own.body}`).toBe(entry.ownerStatus);
    });
  }
});
