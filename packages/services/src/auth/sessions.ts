import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { AppError } from '@agentflow/contracts';
import { asSystem, type Db, withUser } from '@agentflow/db';
import { refreshTokens } from '@agentflow/db/schema';
import { and, eq, isNull, ne } from 'drizzle-orm';
import { recordAudit } from '../audit';
import type { AuthDeps } from './deps';
import { loadSubjects, type SessionSubjects } from './subjects';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  type AccessTokenClaims,
  type AccessTokenSigner,
  generateOpaqueToken,
  REFRESH_TOKEN_TTL_MS,
  sha256Hex,
} from './tokens';
import type { RequestMeta, UserAuth } from './types';

/**
 * Sessions. A session is a refresh-token family: every refresh rotates the token (the old row is revoked
 * with reason `rotated` and points at its successor), so only the newest token of a family is usable.
 * Presenting an older one means it was copied: the whole family is revoked, the thief's copy and the
 * victim's alike. Access tokens carry the family id (`sid`), so revoking it ends them at once too.
 */

export interface IssuedSession extends SessionSubjects {
  accessToken: string;
  /** Seconds. */
  expiresIn: number;
  /** The raw refresh token: goes into the cookie, never into a body or a log. */
  refreshToken: string;
  refreshExpiresAt: Date;
  sessionId: string;
}

type RevokeReason = 'rotated' | 'reuse_detected' | 'logout' | 'membership_removed';

/** Inserts a refresh token for `subjects` (a new family unless `familyId`) and signs its access token. */
export async function mintSession(
  tx: Db,
  signer: AccessTokenSigner,
  subjects: SessionSubjects,
  meta: RequestMeta,
  familyId: string = randomUUID(),
): Promise<IssuedSession & { tokenId: string }> {
  const refreshToken = generateOpaqueToken();
  const refreshExpiresAt = new Date(Date.now() + REFRESH_TOKEN_TTL_MS);
  const [row] = await tx
    .insert(refreshTokens)
    .values({
      userId: subjects.user.id,
      orgId: subjects.org.id,
      tokenHash: sha256Hex(refreshToken),
      familyId,
      expiresAt: refreshExpiresAt,
      // inet rejects anything but an address; an odd value must not fail the sign-in.
      ipAddress: meta.ip && isIP(meta.ip) ? meta.ip : null,
      userAgent: meta.userAgent ? meta.userAgent.slice(0, 1000) : null,
    })
    .returning({ id: refreshTokens.id });
  const accessToken = await signer.sign({
    userId: subjects.user.id,
    orgId: subjects.org.id,
    sessionId: familyId,
  });
  return {
    ...subjects,
    accessToken,
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
    refreshToken,
    refreshExpiresAt,
    sessionId: familyId,
    tokenId: row!.id,
  };
}

/**
 * Starts a session for a user in an org they belong to. The one way tokens are issued for an
 * already-authenticated person: login uses it, and so will the SSO callback.
 */
export async function issueSession(
  deps: Pick<AuthDeps, 'db' | 'signer'>,
  who: { userId: string; orgId: string },
  meta: RequestMeta,
  audit?: { action: string },
): Promise<IssuedSession> {
  return withUser(
    deps.db,
    who.userId,
    async (tx) => {
      const subjects = await loadSubjects(tx, who.userId, who.orgId);
      if (!subjects) throw new AppError('ORG_NOT_FOUND', 'Organization not found.');
      if (!subjects.user.isActive)
        throw new AppError('AUTH_INVALID_CREDENTIALS', 'Invalid email or password.');
      const session = await mintSession(tx, deps.signer, subjects, meta);
      if (audit) await auditSession(tx, session, meta, audit.action);
      return session;
    },
    { orgId: who.orgId },
  );
}

export async function auditSession(
  tx: Db,
  session: Pick<IssuedSession, 'user' | 'org' | 'sessionId'>,
  meta: RequestMeta,
  action: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(
    tx,
    { db: tx, orgId: session.org.id, actor: { type: 'user', userId: session.user.id }, ...meta },
    {
      action,
      resourceType: 'user',
      resourceId: session.user.id,
      details: { session_id: session.sessionId, ...details },
    },
  );
}

type RefreshOutcome =
  | { ok: true; session: IssuedSession }
  | {
      ok: false;
      code: 'AUTH_TOKEN_INVALID' | 'AUTH_TOKEN_EXPIRED' | 'AUTH_TOKEN_BLACKLISTED';
      message: string;
    };

/** Rotates a refresh token: returns a new access token and refresh token for the same session. */
export async function refreshSession(
  deps: AuthDeps,
  refreshToken: string,
  meta: RequestMeta,
): Promise<IssuedSession> {
  const outcome = await asSystem(
    deps.db,
    'refresh: find the presented refresh token by its hash (org unknown yet)',
    async (tx): Promise<RefreshOutcome> => {
      // FOR UPDATE: two concurrent refreshes with one token serialize, and the second is seen as reuse.
      const [row] = await tx
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, sha256Hex(refreshToken)))
        .for('update')
        .limit(1);
      if (!row) return { ok: false, code: 'AUTH_TOKEN_INVALID', message: 'Refresh token is invalid.' };
      if (row.revokedAt) {
        if (row.revokedReason === 'rotated') await revokeFamily(tx, row.familyId, 'reuse_detected');
        return {
          ok: false,
          code: 'AUTH_TOKEN_BLACKLISTED',
          message: 'This session has been revoked; sign in again.',
        };
      }
      if (row.expiresAt.getTime() <= Date.now()) {
        return { ok: false, code: 'AUTH_TOKEN_EXPIRED', message: 'Session has expired; sign in again.' };
      }
      const subjects = row.orgId ? await loadSubjects(tx, row.userId, row.orgId) : undefined;
      if (!subjects?.user.isActive) {
        await revokeFamily(tx, row.familyId, 'membership_removed');
        return {
          ok: false,
          code: 'AUTH_TOKEN_INVALID',
          message: 'You are no longer a member of this organization.',
        };
      }
      const session = await mintSession(tx, deps.signer, subjects, meta, row.familyId);
      await tx
        .update(refreshTokens)
        .set({
          revokedAt: new Date(),
          revokedReason: 'rotated',
          replacedBy: session.tokenId,
          lastUsedAt: new Date(),
        })
        .where(eq(refreshTokens.id, row.id));
      return { ok: true, session };
    },
  );
  // Thrown after the transaction so a detected reuse stays revoked (a throw inside would roll it back).
  if (!outcome.ok) throw new AppError(outcome.code, outcome.message);
  return outcome.session;
}

/**
 * Ends a session: by the refresh token (cookie) and/or the claims of a verified access token.
 * Idempotent: unknown or already-revoked tokens are ignored. Writes `auth.logout` when it ended one.
 */
export async function endSession(
  deps: Pick<AuthDeps, 'db'>,
  by: { refreshToken?: string | undefined; claims?: AccessTokenClaims | undefined },
  meta: RequestMeta,
): Promise<boolean> {
  return asSystem(deps.db, 'logout: revoke the session of the presented refresh token', async (tx) => {
    const families = new Map<string, { userId: string; orgId: string | null }>();
    if (by.claims) families.set(by.claims.sessionId, { userId: by.claims.userId, orgId: by.claims.orgId });
    if (by.refreshToken) {
      const [row] = await tx
        .select({
          familyId: refreshTokens.familyId,
          userId: refreshTokens.userId,
          orgId: refreshTokens.orgId,
        })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, sha256Hex(by.refreshToken)))
        .limit(1);
      if (row) families.set(row.familyId, { userId: row.userId, orgId: row.orgId });
    }
    let ended = false;
    for (const [familyId, owner] of families) {
      const revoked = await revokeFamily(tx, familyId, 'logout');
      if (revoked === 0 || !owner.orgId) continue;
      ended = true;
      await recordAudit(
        tx,
        { db: tx, orgId: owner.orgId, actor: { type: 'user', userId: owner.userId }, ...meta },
        {
          action: 'auth.logout',
          resourceType: 'user',
          resourceId: owner.userId,
          details: { session_id: familyId },
        },
      );
    }
    return ended;
  });
}

/** Moves the caller's session to another org they belong to (same family, new tokens). */
export async function switchOrg(
  deps: Pick<AuthDeps, 'db' | 'signer'>,
  auth: UserAuth,
  targetOrgId: string,
  meta: RequestMeta,
): Promise<IssuedSession> {
  return asSystem(deps.db, 'switch-org: move a session between two orgs of the same user', async (tx) => {
    const subjects = await loadSubjects(tx, auth.userId, targetOrgId);
    // Not a member and no such org look the same: another org's existence is not the caller's business.
    if (!subjects) throw new AppError('ORG_NOT_FOUND', 'Organization not found.');
    const current = await tx
      .select({ id: refreshTokens.id })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.familyId, auth.sessionId), isNull(refreshTokens.revokedAt)))
      .for('update');
    if (current.length === 0)
      throw new AppError('AUTH_TOKEN_BLACKLISTED', 'This session has been revoked; sign in again.');
    const session = await mintSession(tx, deps.signer, subjects, meta, auth.sessionId);
    // The old token is now `rotated`: if it is ever presented again, the whole session is revoked.
    await tx
      .update(refreshTokens)
      .set({ revokedAt: new Date(), revokedReason: 'rotated', replacedBy: session.tokenId })
      .where(
        and(
          eq(refreshTokens.familyId, auth.sessionId),
          isNull(refreshTokens.revokedAt),
          ne(refreshTokens.id, session.tokenId),
        ),
      );
    await auditSession(tx, session, meta, 'auth.org_switched', { from_org_id: auth.orgId });
    return session;
  });
}

async function revokeFamily(tx: Db, familyId: string, reason: RevokeReason): Promise<number> {
  const rows = await tx
    .update(refreshTokens)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return rows.length;
}
