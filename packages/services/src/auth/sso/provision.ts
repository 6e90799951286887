import { AppError } from '@agentflow/contracts';
import { asSystem, type Db } from '@agentflow/db';
import { orgMemberships, users } from '@agentflow/db/schema';
import { and, eq } from 'drizzle-orm';
import { recordAudit } from '../../audit';
import type { RequestMeta } from '../types';
import type { OrgSsoConfig } from './config';
import type { SsoIdentity } from './workos';

export const WORKOS_PROVIDER = 'workos';

export interface ProvisionedUser {
  userId: string;
  /** A new account was created for this login. */
  created: boolean;
  /** An existing account (found by a verified email) was linked to the WorkOS identity. */
  linked: boolean;
  /** The user became a member of the org with its default role. */
  joined: boolean;
}

/**
 * Just-in-time provisioning for a verified SSO identity in `orgId`:
 * 1. the user whose (auth_provider, auth_provider_id) is (workos, profile id): the identity seen before;
 * 2. else the user with that email, but only if the IdP vouched for the email (`emailVerified`):
 *    otherwise an IdP admin could type someone else's address and take over their account, with every
 *    org it belongs to. An unverified match is refused (SSO_ACCOUNT_EXISTS), never linked;
 * 3. else a new SSO-only user (no password).
 * Then a membership with the org's default role unless they have one (an existing role is kept, never
 * lowered or raised by SSO). One transaction; `asSystem` because users are not tenant rows and the
 * identity lookup cannot know the user yet.
 */
export async function provisionSsoUser(
  db: Db,
  org: { orgId: string; config: OrgSsoConfig },
  identity: SsoIdentity,
  meta: RequestMeta,
): Promise<ProvisionedUser> {
  return asSystem(db, 'sso callback: find or create the user of a verified WorkOS profile', async (tx) => {
    const account = await findOrCreateUser(tx, identity);
    if (!account.isActive) throw new AppError('AUTH_INVALID_CREDENTIALS', 'This account is disabled.');
    const [membership] = await tx
      .insert(orgMemberships)
      .values({ userId: account.id, orgId: org.orgId, role: org.config.defaultRole })
      .onConflictDoNothing({ target: [orgMemberships.userId, orgMemberships.orgId] })
      .returning({ id: orgMemberships.id });
    if (membership) {
      await recordAudit(
        tx,
        { db: tx, orgId: org.orgId, actor: { type: 'user', userId: account.id }, ...meta },
        {
          action: 'member.joined_via_sso',
          resourceType: 'member',
          resourceId: account.id,
          details: {
            role: org.config.defaultRole,
            email: identity.email,
            account_created: account.created,
            account_linked: account.linked,
            connection_id: identity.connectionId,
          },
        },
      );
    }
    return { userId: account.id, created: account.created, linked: account.linked, joined: !!membership };
  });
}

async function findOrCreateUser(tx: Db, identity: SsoIdentity) {
  const columns = { id: users.id, isActive: users.isActive, authProviderId: users.authProviderId };
  const [known] = await tx
    .select(columns)
    .from(users)
    .where(and(eq(users.authProvider, WORKOS_PROVIDER), eq(users.authProviderId, identity.subject)))
    .limit(1);
  if (known) return { ...known, created: false, linked: false };

  const [byEmail] = await tx.select(columns).from(users).where(eq(users.email, identity.email)).limit(1);
  if (byEmail) return { ...(await link(tx, byEmail, identity)), created: false, linked: true };

  const [created] = await tx
    .insert(users)
    .values({
      email: identity.email,
      name: identity.name,
      authProvider: WORKOS_PROVIDER,
      authProviderId: identity.subject,
      emailVerifiedAt: identity.emailVerified ? new Date() : null,
    })
    // A concurrent first login of the same person: theirs won; fall through to the email rules.
    .onConflictDoNothing()
    .returning(columns);
  if (created) return { ...created, created: true, linked: false };
  const [raced] = await tx.select(columns).from(users).where(eq(users.email, identity.email)).limit(1);
  if (!raced) throw new AppError('CONFLICT', 'The account could not be created; try again.');
  return { ...(await link(tx, raced, identity)), created: false, linked: true };
}

async function link(
  tx: Db,
  user: { id: string; isActive: boolean; authProviderId: string | null },
  identity: SsoIdentity,
) {
  if (!identity.emailVerified) {
    throw new AppError(
      'SSO_ACCOUNT_EXISTS',
      'An account with this email already exists, and the identity provider did not confirm the email. ' +
        'Sign in with your password instead, or ask your administrator.',
      { reason: 'email_not_verified_by_idp' },
    );
  }
  // One provider identity per user row: a user already linked to another WorkOS identity (another
  // org's IdP) keeps that link and is found by verified email on this one.
  if (!user.authProviderId) {
    await tx
      .update(users)
      .set({ authProvider: WORKOS_PROVIDER, authProviderId: identity.subject })
      .where(eq(users.id, user.id));
  }
  return user;
}
