import type { ServiceContext } from '@agentflow/services';
import type { FastifyRequest } from 'fastify';
import { requireAuth } from './guards';

/** What every service call gets: the org and actor from the verified credentials, never from input. */
export function serviceContext(request: FastifyRequest): ServiceContext {
  const auth = requireAuth(request);
  return {
    db: request.server.authDeps.db,
    orgId: auth.orgId,
    actor:
      auth.kind === 'user'
        ? { type: 'user', userId: auth.userId }
        : { type: 'api_key', apiKeyId: auth.apiKeyId },
    requestId: request.id,
    ip: request.ip,
    userAgent: request.headers['user-agent'],
    // Lets work inside a service transaction seal secrets (the webhook endpoint created on publish).
    keyring: request.server.keyring,
  };
}
