import {
  AppError,
  EXECUTION_STREAM_PROTOCOL,
  executionParamsSchema,
  executionStreamQuerySchema,
} from '@agentflow/contracts';
import { getExecution } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authorize, serviceContext } from '../../auth';
import { userSecurity } from '../org/openapi';
import { runExecutionStream } from './stream-session';

export interface ExecutionStreamRoutesOptions {
  /** Keepalive ping period (WS_PING_INTERVAL_MS); a client that misses one pong is terminated. */
  wsPingIntervalMs?: number | undefined;
}

/**
 * `WS /api/v1/executions/:id/stream?after=SEQ`: the live events of one execution (issue 5).
 *
 * Everything that can refuse the connection runs as ordinary hooks before the upgrade, so a refusal
 * is a normal HTTP error envelope: 401 (credentials: Authorization / X-API-Key headers, or the
 * `bearer.<token>` subprotocol for browsers), 403, 404 EXECUTION_NOT_FOUND (also another org's), 422
 * on `query.after`. A plain GET that passes them gets 426 UPGRADE_REQUIRED. The stream itself is
 * ./stream-session.ts; WebSocket support itself (subprotocol selection, shutdown with 1001) is
 * plugins/websocket.ts.
 */
export const executionStreamRoutes: FastifyPluginAsyncZod<ExecutionStreamRoutesOptions> = async (
  app,
  options,
) => {
  const pingIntervalMs = options.wsPingIntervalMs ?? 25_000;

  app.route({
    method: 'GET',
    url: '/executions/:id/stream',
    config: { websocketAuth: true },
    onRequest: authorize('executions:view'),
    // Before the upgrade, so an unknown or foreign execution is a plain 404.
    preHandler: async (request) => {
      await getExecution(serviceContext(request), request.params.id);
    },
    schema: {
      tags: ['executions'],
      summary: 'WebSocket: the live events of an execution (stored ones after `after`, then live ones)',
      description:
        'Upgrade to a WebSocket. Each message is one ExecutionEvent (JSON), in seq order, each seq once. ' +
        'Closes with 1000 after the terminal event (execution.completed, .failed, .cancelled); any other ' +
        'close: reconnect with after = the last seq received. Credentials: the usual headers, or (browsers) ' +
        `the subprotocols "${EXECUTION_STREAM_PROTOCOL}" and "bearer.<token>". A plain GET gets 426.`,
      security: userSecurity,
      params: executionParamsSchema,
      querystring: executionStreamQuerySchema,
    },
    handler: async (_request, reply) => {
      reply.header('upgrade', 'websocket');
      throw new AppError('UPGRADE_REQUIRED', 'This endpoint is a WebSocket: send an upgrade request.');
    },
    wsHandler: (socket, request) => {
      runExecutionStream({
        socket,
        ctx: serviceContext(request),
        executionId: request.params.id,
        after: request.query.after,
        events: app.eventBus,
        pingIntervalMs,
        log: request.log,
      });
    },
  });
};
