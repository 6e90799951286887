import type { AuthDeps, RequestAuth } from '@agentflow/services';

declare module 'fastify' {
  interface FastifyInstance {
    /** Database, token signer and login limiter for the account services (set by authPlugin). */
    authDeps: AuthDeps;
  }
  interface FastifyRequest {
    /**
     * Who the request authenticated as; null on public routes and outside /api/v1. Read it through
     * requireAuth / requireUser / serviceContext rather than directly.
     */
    auth: RequestAuth | null;
  }
  interface FastifyContextConfig {
    /** true: /api/v1 route reachable without credentials (signup, login, refresh, webhooks ...). */
    public?: boolean;
    /**
     * 'optional': credentials are not required, but when sent they must be valid (401 otherwise) and
     * set request.auth, as on a protected route (accept an invitation, signed in or not).
     */
    auth?: 'optional';
    /**
     * true: a WebSocket route that also accepts the credential as the subprotocol
     * `bearer.<token>` (browsers cannot set headers on a WebSocket); see auth/websocket-credential.ts.
     */
    websocketAuth?: boolean;
  }
}
