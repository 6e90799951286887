import type { ErrorEnvelope } from '@agentflow/contracts';
import type { FastifyInstance } from 'fastify';
import { REQUEST_ID_HEADER } from '../logging/request-id';

/**
 * Hooks every request passes: echo the request id, and shed new requests while draining.
 *
 * While the server drains (SIGTERM), requests that arrive on an already-open keep-alive connection
 * still reach Fastify. Fastify's own drain response is not our error envelope, so it is disabled
 * (`return503OnClosing: false`) and replaced here: 503 SERVICE_UNAVAILABLE with `Connection: close`,
 * which tells the client and the load balancer to go elsewhere.
 */
export function registerRequestContext(app: FastifyInstance): void {
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    if (!draining) return;
    const body: ErrorEnvelope = {
      error: {
        code: 'SERVICE_UNAVAILABLE',
        message: 'Server is shutting down; retry the request.',
        details: {},
        request_id: request.id,
      },
    };
    return reply.code(503).header('connection', 'close').send(body);
  });

  // Node's server.close() reaps only the connections idle at that instant. A request in flight
  // during the drain would leave its keep-alive socket open afterwards, holding close() until the
  // keep-alive timeout; `Connection: close` on its response ends the socket right after it.
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
}
