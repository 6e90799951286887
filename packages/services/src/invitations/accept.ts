import { randomUUID } from 'node:crypto';
import { AppError, type Role } from '@agentflow/contracts';
import { asSystem, type Db, isUniqueViolation, withUser } from '@agentflow/db';
import { invitations, organizations, orgMemberships, users } from '@agentflow/db/schema';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { recordAudit } from '../audit';
import { hashPassword } from '../auth';
import type { ServiceContext } from '../context';
import { hashInvitationToken } from './tokens';

export interface AcceptInvitationInput {
  token: string;
  /** The signed-in user accepting, if any. Their email must be the invited one. */
  userId?: string | undefined;
  /** For a new account. */
  name?: string | undefined;
  password?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
  requestId?: string | undefined;
}

export interface AcceptedInvitation {
  userId: string;
  orgId: string;
  role: Role;
  invitationId: string;
  /** A new account was created for the invited email. */
  userCreated: boolean;
}

type InvitationRow = typeof invitations.$inferSelect;

export interface InvitationPreview {
  email: string;
  role: Role;
  organization: { name: string; slug: string };
  /** Name (or email) of the member who sent it; null when that account is gone. */
  invitedBy: string | null;
  expiresAt: Date;
  /** An account exists for the invited email: the invitee signs in rather than signs up. */
  accountExists: boolean;
}

/**
 * What an invitation link offers, for the page that accepts it: the org, the role and whether the
 * invitee already has an account. The token is the only credential (whoever holds the link may read
 * this much); the same errors as accepting for an unknown, revoked, used or expired one.
 */
export async function previewInvitation(db: Db, token: string): Promise<InvitationPreview> {
  const tokenHash = hashInvitationToken(token);
  const found = await asSystem(db, 'invitation preview by token hash', async (tx) => {
    const [row] = await tx
      .select({ invitation: invitations, orgName: organizations.name, orgSlug: organizations.slug })
      .from(invitations)
      .innerJoin(organizations, eq(organizations.id, invitations.orgId))
      .where(eq(invitations.tokenHash, tokenHash));
    if (!row) return undefined;
    const [account] = await tx
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, row.invitation.email));
    const [inviter] = row.invitation.invitedBy
      ? await tx
          .select({ name: users.name, email: users.email })
          .from(users)
          .where(eq(users.id, row.invitation.invitedBy))
      : [];
    return { ...row, accountExists: !!account, inviter };
  });
  if (!found) {
    throw new AppError(
      'INVITATION_NOT_FOUND',
      'This invitation link is not valid. Ask for a new invitation.',
    );
  }
  assertUsable(found.invitation, new Date());
  return {
    email: found.invitation.email,
    role: found.invitation.role,
    organization: { name: found.orgName, slug: found.orgSlug },
    invitedBy: found.inviter ? (found.inviter.name ?? found.inviter.email) : null,
    expiresAt: found.invitation.expiresAt,
    accountExists: found.accountExists,
  };
}

/**
 * Turns an invitation into a membership. The token is the only credential for a new account (it
 * proves control of the inbox), so a new user is created with the given password and a verified email.
 * An existing account must be signed in as the invited email: a forwarded link cannot add someone else.
 */
export async function acceptInvitation(db: Db, input: AcceptInvitationInput): Promise<AcceptedInvitation> {
  const tokenHash = hashInvitationToken(input.token);
  // The org is unknown until the token names it: the one lookup that must bypass RLS.
  const { invitation, existing } = await asSystem(db, 'invitation lookup by token hash', async (tx) => {
    const [row] = await tx.select().from(invitations).where(eq(invitations.tokenHash, tokenHash));
    if (!row) return { invitation: undefined, existing: undefined };
    const [user] = await tx
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(input.userId ? eq(users.id, input.userId) : eq(users.email, row.email));
    return { invitation: row, existing: user };
  });
  if (!invitation) {
    throw new AppError(
      'INVITATION_NOT_FOUND',
      'This invitation link is not valid. Ask for a new invitation.',
    );
  }
  assertUsable(invitation, new Date());
  if (input.userId && existing?.email !== invitation.email) {
    throw new AppError(
      'INVITATION_EMAIL_MISMATCH',
      'This invitation was sent to a different email address than the one you are signed in with.',
    );
  }
  if (!input.userId && existing) {
    throw new AppError(
      'AUTH_REQUIRED',
      'An account with this email already exists: sign in, then accept again.',
      {
        reason: 'existing_account',
      },
    );
  }
  let passwordHash: string | undefined;
  if (!existing) {
    if (!input.password) {
      throw new AppError('VALIDATION_ERROR', 'A password is required to create your account.', {
        fields: [{ path: 'body.password', message: 'required for a new account', code: 'required' }],
      });
    }
    // Hashed before the transaction opens: a memory-hard KDF is slow and must not hold locks.
    passwordHash = await hashPassword(input.password);
  }

  // A new user's id is chosen here so the whole acceptance can run as that user (withUser): RLS then
  // lets it create exactly its own users row plus this org's rows, nothing else.
  const userId = existing?.id ?? randomUUID();
  const ctx: ServiceContext = {
    db,
    orgId: invitation.orgId,
    actor: { type: 'user', userId },
    requestId: input.requestId,
    ip: input.ip,
    userAgent: input.userAgent,
  };
  try {
    return await withUser(
      db,
      userId,
      async (tx) => {
        if (!existing) await createUser(tx, userId, invitation.email, input.name, passwordHash!);
        const now = new Date();
        // Conditional update: of two concurrent accepts, exactly one matches.
        const [claimed] = await tx
          .update(invitations)
          .set({ acceptedAt: now, acceptedBy: userId })
          .where(
            and(
              eq(invitations.orgId, invitation.orgId),
              eq(invitations.id, invitation.id),
              isNull(invitations.acceptedAt),
              isNull(invitations.revokedAt),
              gt(invitations.expiresAt, now),
            ),
          )
          .returning({ id: invitations.id });
        if (!claimed) throw new AppError('INVITATION_ALREADY_USED', 'This invitation has already been used.');
        const [membership] = await tx
          .insert(orgMemberships)
          .values({ orgId: invitation.orgId, userId, role: invitation.role })
          .onConflictDoNothing()
          .returning({ id: orgMemberships.id });
        if (!membership) {
          throw new AppError('CONFLICT', 'You are already a member of this organization.', {
            reason: 'already_member',
          });
        }
        await recordAudit(tx, ctx, {
          action: 'invitation.accepted',
          resourceType: 'invitation',
          resourceId: invitation.id,
          details: {
            email: invitation.email,
            role: invitation.role,
            user_created: !existing,
            member_id: userId,
          },
        });
        return {
          userId,
          orgId: invitation.orgId,
          role: invitation.role,
          invitationId: invitation.id,
          userCreated: !existing,
        };
      },
      { orgId: invitation.orgId },
    );
  } catch (error) {
    // Someone signed up with this email between the lookup and the insert.
    if (isUniqueViolation(error)) {
      throw new AppError(
        'AUTH_REQUIRED',
        'An account with this email already exists: sign in, then accept again.',
        {
          reason: 'existing_account',
        },
      );
    }
    throw error;
  }
}

function assertUsable(invitation: InvitationRow, now: Date): void {
  if (invitation.revokedAt) {
    throw new AppError('INVITATION_REVOKED', 'This invitation was revoked. Ask for a new invitation.');
  }
  if (invitation.acceptedAt)
    throw new AppError('INVITATION_ALREADY_USED', 'This invitation has already been used.');
  if (invitation.expiresAt <= now) {
    throw new AppError('INVITATION_EXPIRED', 'This invitation has expired. Ask for a new invitation.', {
      expired_at: invitation.expiresAt.toISOString(),
    });
  }
}

async function createUser(
  tx: Db,
  id: string,
  email: string,
  name: string | undefined,
  passwordHash: string,
): Promise<void> {
  // The link proved control of the inbox, so the email counts as verified.
  await tx.insert(users).values({ id, email, name: name ?? null, passwordHash, emailVerifiedAt: new Date() });
}
