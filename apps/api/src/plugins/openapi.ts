import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export const DOCS_PREFIX = '/docs';

export interface OpenApiOptions {
  publicUrl: string;
  version: string;
}

/**
 * OpenAPI document generated from the routes' zod schemas, served as JSON at /docs/json and as
 * Swagger UI at /docs. Must be registered before any route it should describe.
 */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'AgentFlow API',
        description:
          'Every non-2xx response has the shape `{ "error": { code, message, details, request_id } }` ' +
          '(schema `ErrorResponse`). Send `X-Request-ID` to correlate logs; it is echoed in the response.',
        version: options.version,
      },
      servers: [{ url: options.publicUrl }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      tags: [{ name: 'system', description: 'Liveness and readiness probes' }],
    },
    // Schemas registered with an id (e.g. `ErrorResponse` in @agentflow/contracts) become components.
    transform: createJsonSchemaTransform({
      skipList: [
        DOCS_PREFIX,
        `${DOCS_PREFIX}/`,
        `${DOCS_PREFIX}/json`,
        `${DOCS_PREFIX}/yaml`,
        `${DOCS_PREFIX}/*`,
      ],
    }),
    transformObject: jsonSchemaTransformObject,
  });

  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    // No call to validator.swagger.io: the CSP would block it and it leaks the spec URL.
    uiConfig: { validatorUrl: null, deepLinking: true },
  });
}
