import { EXECUTION_STREAM_PROTOCOL, executionStreamCloseCodes } from '@agentflow/contracts';
import websocket, { type WebSocket } from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';

/** How long shutdown waits for clients to answer the 1001 close before cutting them off. */
const CLOSE_GRACE_MS = 1000;

/**
 * WebSocket support for the whole app (@fastify/websocket): routes declared with `wsHandler` upgrade;
 * everything before the handler (auth, rate limits, params and query validation, preHandlers) runs as
 * for any request, so a refusal is an ordinary HTTP error envelope sent on the socket.
 *
 * Registered first thing in buildApp, once: the plugin listens to the server's `upgrade` event, and
 * its onRequest hook (which marks a request as an upgrade, so the socket is destroyed after an error
 * response) must run before any hook that can reject the request, such as authentication. Registered
 * later, a 401 left the client's TCP socket half open on the server.
 *
 * Subprotocols: the only one spoken is `bearer`, selected when offered (browsers send their credential
 * as `bearer.<token>` next to it; see auth/websocket-credential.ts). On shutdown every client gets
 * 1001 (come back later, elsewhere) and whoever does not answer within a second is cut off.
 */
export async function registerWebSocket(app: FastifyInstance): Promise<void> {
  await app.register(websocket, {
    options: {
      // Clients send nothing but control frames.
      maxPayload: 4096,
      // The server must select one offered protocol, and never the `bearer.<token>` one (an echo).
      handleProtocols: (protocols) =>
        protocols.has(EXECUTION_STREAM_PROTOCOL) ? EXECUTION_STREAM_PROTOCOL : false,
    },
    // A client breaking the protocol (bad frame, message over maxPayload) is its problem: warn, not
    // error. Anything else thrown by a handler is ours.
    errorHandler: (error, socket, request) => {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
        request.log.warn({ err: error }, 'websocket client error; connection terminated');
      } else {
        request.log.error({ err: error }, 'websocket handler failed; connection terminated');
      }
      socket.terminate();
    },
    preClose: async () => {
      const server = app.websocketServer;
      const clients = [...server.clients];
      for (const client of clients) client.close(executionStreamCloseCodes.goingAway, 'server shutting down');
      await closedWithin(clients, CLOSE_GRACE_MS);
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

function closedWithin(clients: WebSocket[], ms: number): Promise<void> {
  const open = clients.filter((client) => client.readyState !== client.CLOSED);
  if (open.length === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let left = open.length;
    const timer = setTimeout(resolve, ms);
    for (const client of open) {
      client.once('close', () => {
        left -= 1;
        if (left === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
}
