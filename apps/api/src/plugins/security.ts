import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { REQUEST_ID_HEADER } from '../logging/request-id';

export interface SecurityOptions {
  corsOrigins: string[];
  /** Only an https deployment may tell browsers to upgrade requests; on http it breaks /docs assets. */
  publicUrl: string;
}

/** Security headers and the CORS allow-list, global to every route (including /docs). */
export async function registerSecurity(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  const https = options.publicUrl.startsWith('https://');
  await app.register(helmet, {
    global: true,
    // Helmet's default policy already suits Swagger UI (it loads only same-origin scripts and styles,
    // images may be data: URIs). The only change: no upgrade-insecure-requests over plain http.
    contentSecurityPolicy: {
      useDefaults: true,
      directives: { upgradeInsecureRequests: https ? [] : null },
    },
    hsts: https,
  });

  await app.register(cors, {
    // An exact allow-list: an origin not on it gets no Access-Control-Allow-Origin at all.
    origin: options.corsOrigins,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    // Readable by the web app's scripts: the request id to quote, and the rate-limit state and back-off
    // (a CORS response exposes only "safelisted" headers otherwise; Retry-After is not one).
    exposedHeaders: [
      REQUEST_ID_HEADER,
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
      'retry-after',
    ],
    maxAge: 600,
    // Strict mode answers an OPTIONS without Access-Control-Request-Method with a text/plain 400,
    // the one response that would bypass our error envelope; a lenient 204 without grants is harmless.
    strictPreflight: false,
  });
}
