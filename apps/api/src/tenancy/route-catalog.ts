import type { FastifyInstance } from 'fastify';

/** One registered route and method, as the cross-tenant suite enumerates them. */
export interface CatalogRoute {
  method: string;
  /** The full pattern, prefix included: `/api/v1/org/teams/:id`. */
  url: string;
  /** `config.public`: reachable without credentials. */
  public: boolean;
}

const catalogs = new WeakMap<FastifyInstance, CatalogRoute[]>();

/**
 * Records every route registered on `app` from now on (its onRoute hook is inherited by every
 * plugin). buildApp calls it first thing, so the cross-tenant suite sees each route that exists,
 * including ones added after it was written. Costs one array entry per route; no request overhead.
 */
export function collectRoutes(app: FastifyInstance): void {
  const routes: CatalogRoute[] = [];
  catalogs.set(app, routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // HEAD mirrors GET (exposeHeadRoutes) and OPTIONS is CORS preflight: nothing to cover twice.
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      if (routes.some((r) => r.method === method && r.url === route.url)) continue;
      routes.push({ method, url: route.url, public: route.config?.public === true });
    }
  });
}

/** The routes recorded by collectRoutes (empty when it was not called on `app`). */
export function routesOf(app: FastifyInstance): readonly CatalogRoute[] {
  return catalogs.get(app) ?? [];
}
