import { errorEnvelopeSchema } from '@agentflow/contracts';
import type { FastifyInstance } from 'fastify';

/**
 * Gives every documented route `4xx` and `5xx` responses of the `ErrorResponse` schema unless the
 * route declares its own. Two effects: the OpenAPI document shows the error shape on each operation,
 * and the serializer checks that what the error handler sends really has that shape.
 */
export function registerDefaultErrorResponses(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as (typeof route.schema & { hide?: boolean }) | undefined;
    if (!schema || schema.hide) return;
    const response = (schema.response ?? {}) as Record<string, unknown>;
    for (const range of ['4xx', '5xx']) {
      if (!(range in response)) response[range] = errorEnvelopeSchema;
    }
    schema.response = response;
  });
}
