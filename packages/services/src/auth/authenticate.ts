import { type ApiKeyScope, AppError, apiKeyScopes, type Role } from '@agentflow/contracts';
import { asSystem, type Db, withUser } from '@agentflow/db';
import { apiKeys, orgMemberships, refreshTokens, users } from '@agentflow/db/schema';
import { and, eq, isNull } from 'drizzle-orm';
import { type AccessTokenSigner, sha256Hex } from './tokens';
import type { ApiKeyAuth, UserAuth } from './types';

/**
 * Bearer token -> user auth. Besides the signature and expiry, two database facts are re-checked on
 * every request, so a logout or a removal takes effect at once rather than when the token expires:
 * - the session (refresh-token family) still has a live token for this org: logout and refresh-token
 *   reuse revoke the family; switching org moves it, which ends the old org's access tokens too;
 * - the user is still an active member of the org; the role comes from here, never from the token.
 */
export async function authenticateAccessToken(
  deps: { db: Db; signer: AccessTokenSigner },
  token: string,
): Promise<UserAuth> {
  const claims = await deps.signer.verify(token);
  const found = await withUser(
    deps.db,
    claims.userId,
    async (tx) => {
      const [session] = await tx
        .select({ id: refreshTokens.id })
        .from(refreshTokens)
        .where(
          and(
            eq(refreshTokens.familyId, claims.sessionId),
            eq(refreshTokens.userId, claims.userId),
            eq(refreshTokens.orgId, claims.orgId),
            isNull(refreshTokens.revokedAt),
          ),
        )
        .limit(1);
      if (!session) return { session: false as const };
      const [member] = await tx
        .select({ role: orgMemberships.role, isActive: users.isActive })
        .from(orgMemberships)
        .innerJoin(users, eq(users.id, orgMemberships.userId))
        .where(and(eq(orgMemberships.userId, claims.userId), eq(orgMemberships.orgId, claims.orgId)))
        .limit(1);
      return { session: true as const, member };
    },
    { orgId: claims.orgId },
  );
  if (!found.session) {
    throw new AppError('AUTH_TOKEN_BLACKLISTED', 'This session has been revoked; sign in again.');
  }
  // 401 rather than 403: the token names an org the user no longer belongs to, so it grants nothing;
  // the client's usual 401 path (refresh, then sign in) lands them in an org they still belong to.
  if (!found.member) {
    throw new AppError('AUTH_TOKEN_INVALID', 'You are no longer a member of this organization.', {
      reason: 'membership_revoked',
    });
  }
  if (!found.member.isActive) {
    throw new AppError('AUTH_TOKEN_INVALID', 'This account is disabled.', { reason: 'user_disabled' });
  }
  return {
    kind: 'user',
    userId: claims.userId,
    orgId: claims.orgId,
    role: found.member.role as Role,
    sessionId: claims.sessionId,
  };
}

// last_used_at is informational: writing it at most once a minute keeps a busy key from turning every
// request into a row update.
const LAST_USED_RESOLUTION_MS = 60_000;

/** X-API-Key -> API key auth: SHA-256 of the presented key looked up among active, unexpired keys. */
export async function authenticateApiKey(deps: { db: Db }, presentedKey: string): Promise<ApiKeyAuth> {
  const keyHash = sha256Hex(presentedKey);
  const now = new Date();
  const key = await asSystem(
    deps.db,
    'api key auth: find the key by its hash (org unknown yet)',
    async (tx) => {
      const [row] = await tx
        .select({
          id: apiKeys.id,
          orgId: apiKeys.orgId,
          scopes: apiKeys.scopes,
          isActive: apiKeys.isActive,
          revokedAt: apiKeys.revokedAt,
          expiresAt: apiKeys.expiresAt,
          lastUsedAt: apiKeys.lastUsedAt,
        })
        .from(apiKeys)
        .where(eq(apiKeys.keyHash, keyHash))
        .limit(1);
      const usable = row?.isActive && !row.revokedAt && !(row.expiresAt && row.expiresAt <= now);
      if (
        row &&
        usable &&
        (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS)
      ) {
        await tx.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id));
      }
      return row;
    },
  );
  if (!key) throw new AppError('AUTH_TOKEN_INVALID', 'API key is invalid.');
  if (!key.isActive || key.revokedAt)
    throw new AppError('AUTH_TOKEN_BLACKLISTED', 'API key has been revoked.');
  if (key.expiresAt && key.expiresAt <= now) throw new AppError('AUTH_TOKEN_EXPIRED', 'API key has expired.');
  return { kind: 'api_key', apiKeyId: key.id, orgId: key.orgId, scopes: knownScopes(key.scopes) };
}

// A scope removed from the product may linger in old rows: it must grant nothing rather than fail auth.
function knownScopes(scopes: string[]): ApiKeyScope[] {
  return scopes.filter((scope): scope is ApiKeyScope => (apiKeyScopes as readonly string[]).includes(scope));
}
