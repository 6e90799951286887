import type { ErrorEnvelope } from '@agentflow/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER } from '../logging/request-id';
import { classifyError } from './classify';

/**
 * Sends `{ error: { code, message, details, request_id } }` for any error. Used by the error handler,
 * the not-found handler and Fastify's `frameworkErrors` (malformed URLs fail before routing).
 */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const classified = classifyError(error);
  if (classified.internal) {
    request.log.error({ err: error, code: classified.code }, 'request failed');
  } else {
    // Client mistakes are routine: no stack, info level, but the code so they can be counted.
    request.log.info(
      { code: classified.code, statusCode: classified.statusCode, reason: errorMessage(error) },
      'request rejected',
    );
  }
  const body: ErrorEnvelope = {
    error: {
      code: classified.code,
      message: classified.message,
      details: classified.details,
      request_id: request.id,
    },
  };
  // Set here too: errors raised before onRequest hooks (bad URL) never passed the header hook.
  return reply.code(classified.statusCode).header(REQUEST_ID_HEADER, request.id).send(body);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));

  app.setNotFoundHandler((request, reply) => {
    // Echoed back to the caller: cap it so a huge URL does not make a huge error body.
    const path = (request.url.split('?')[0] ?? request.url).slice(0, 256);
    const body: ErrorEnvelope = {
      error: {
        code: 'ROUTE_NOT_FOUND',
        message: `Route ${request.method} ${path} not found.`,
        details: { method: request.method, path },
        request_id: request.id,
      },
    };
    return reply.code(404).send(body);
  });
}

function errorMessage(error: unknown): string | undefined {
  return error instanceof Error ? error.message : undefined;
}
