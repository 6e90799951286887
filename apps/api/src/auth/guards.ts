import { AppError, type Permission, permissionScope, roleHasPermission } from '@agentflow/contracts';
import type { RequestAuth, UserAuth } from '@agentflow/services';
import type { FastifyRequest } from 'fastify';

/** request.auth, or AUTH_REQUIRED (a route marked public that still needs a caller). */
export function requireAuth(request: FastifyRequest): RequestAuth {
  if (!request.auth) throw new AppError('AUTH_REQUIRED', 'Authentication required.');
  return request.auth;
}

/** For endpoints about a person (/auth/me, switching org): an API key gets 403. */
export function requireUser(request: FastifyRequest): UserAuth {
  const auth = requireAuth(request);
  if (auth.kind !== 'user') {
    throw new AppError('FORBIDDEN', 'This endpoint needs a signed-in user, not an API key.', {
      reason: 'user_required',
    });
  }
  return auth;
}

/**
 * The one place permissions are checked (ADR 0005). Use as a route hook:
 * `app.post('/agents', { onRequest: authorize('agents:create'), schema }, handler)`; `onRequest`
 * rejects before the body is parsed, `preHandler` works too. Users: the role matrix; API keys: the
 * scope the permission maps to (`null` = never with a key).
 */
export function authorize(permission: Permission) {
  return async function authorizeRequest(request: FastifyRequest): Promise<void> {
    const auth = requireAuth(request);
    if (auth.kind === 'user') {
      if (roleHasPermission(auth.role, permission)) return;
      throw new AppError('FORBIDDEN', `Your role (${auth.role}) does not allow ${permission}.`, {
        required_permission: permission,
        role: auth.role,
      });
    }
    const scope = permissionScope[permission];
    if (scope === null) {
      throw new AppError('FORBIDDEN', `API keys cannot ${permission}; sign in as a user.`, {
        required_permission: permission,
        reason: 'api_key_not_allowed',
      });
    }
    if (!auth.scopes.includes(scope)) {
      throw new AppError('FORBIDDEN', `This API key lacks the ${scope} scope.`, {
        required_permission: permission,
        required_scope: scope,
      });
    }
  };
}
