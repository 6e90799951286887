import {
  AppError,
  type Invitation,
  type InviteMemberBody,
  type InviteMemberResponse,
  type Page,
  type PaginationQuery,
} from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { invitations, organizations, orgMemberships, users } from '@agentflow/db/schema';
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { afterCursor, cursorTimestamp, recordAudit, toPage } from '../audit';
import { inOrg, type ServiceContext } from '../context';
import type { Mailer } from '../mailer';
import { actorRole, assertMayTouchOwner } from '../members';
import { invitationMessage } from './email';
import { hashInvitationToken, INVITATION_TTL_MS, invitationLink, newInvitationToken } from './tokens';

type InvitationView = Pick<
  typeof invitations.$inferSelect,
  'id' | 'email' | 'role' | 'invitedBy' | 'expiresAt' | 'createdAt'
>;

export interface InviteDeps {
  mailer: Mailer;
  /** Base URL of the web app; the link is `${appUrl}/invite/accept?token=...`. */
  appUrl: string;
  /** Told about a failed delivery (the invitation is kept; the caller sees `email_sent: false`). */
  onMailError?: ((error: unknown) => void) | undefined;
}

export function toInvitation(row: InvitationView): Invitation {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    invited_by: row.invitedBy,
    expires_at: row.expiresAt.toISOString(),
    created_at: row.createdAt.toISOString(),
  };
}

const pending = (now: Date) =>
  and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now));

/**
 * Creates a single-use invitation and emails its link. Inviting an email again revokes its pending
 * invitation first, so only the newest link works. The email is sent after the commit: a slow or
 * failing mail server never holds the transaction, and a failed send keeps the invitation
 * (`email_sent: false`; inviting again sends a fresh link).
 */
export async function inviteMember(
  ctx: ServiceContext,
  body: InviteMemberBody,
  deps: InviteDeps,
): Promise<InviteMemberResponse> {
  const email = body.email.trim().toLowerCase();
  const token = newInvitationToken();
  const { row, orgName, inviterName } = await inOrg(ctx, async (tx) => {
    const role = await actorRole(tx, ctx);
    if (body.role === 'owner') assertMayTouchOwner(role, 'invite an owner');
    await assertNotMember(tx, ctx, email);
    const now = new Date();
    const superseded = await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(and(eq(invitations.orgId, ctx.orgId), eq(invitations.email, email), pending(now)))
      .returning({ id: invitations.id });
    const [created] = await tx
      .insert(invitations)
      .values({
        orgId: ctx.orgId,
        email,
        role: body.role,
        tokenHash: hashInvitationToken(token),
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
        invitedBy: ctx.actor.type === 'user' ? ctx.actor.userId : null,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: 'member.invited',
      resourceType: 'invitation',
      resourceId: created!.id,
      details: { email, role: body.role, superseded_invitation_ids: superseded.map((s) => s.id) },
    });
    const [org] = await tx
      .select({ name: organizations.name })
      .from(organizations)
      .where(eq(organizations.id, ctx.orgId));
    const [inviter] =
      ctx.actor.type === 'user'
        ? await tx
            .select({ name: users.name, email: users.email })
            .from(users)
            .where(eq(users.id, ctx.actor.userId))
        : [];
    return {
      row: created!,
      orgName: org?.name ?? 'an organization',
      inviterName: inviter?.name ?? inviter?.email ?? null,
    };
  });

  let emailSent = true;
  try {
    await deps.mailer.send(
      invitationMessage({
        to: email,
        orgName,
        inviterName,
        role: row.role,
        link: invitationLink(deps.appUrl, token),
        expiresAt: row.expiresAt,
      }),
    );
  } catch (error) {
    emailSent = false;
    deps.onMailError?.(error);
  }
  return { ...toInvitation(row), email_sent: emailSent };
}

async function assertNotMember(tx: Db, ctx: ServiceContext, email: string): Promise<void> {
  const [member] = await tx
    .select({ userId: users.id })
    .from(users)
    .innerJoin(orgMemberships, and(eq(orgMemberships.userId, users.id), eq(orgMemberships.orgId, ctx.orgId)))
    .where(eq(users.email, email));
  if (member) {
    throw new AppError('CONFLICT', `${email} is already a member of this organization.`, {
      reason: 'already_member',
      user_id: member.userId,
    });
  }
}

// Only what the response shows: the hash has no business leaving the service.
const invitationColumns = {
  id: invitations.id,
  email: invitations.email,
  role: invitations.role,
  invitedBy: invitations.invitedBy,
  expiresAt: invitations.expiresAt,
  createdAt: invitations.createdAt,
};

/** Pending invitations (not accepted, revoked or expired), newest first. */
export async function listInvitations(
  ctx: ServiceContext,
  query: PaginationQuery,
): Promise<Page<Invitation>> {
  const rows = await inOrg(ctx, (tx) =>
    tx
      .select({ ...invitationColumns, cursorAt: cursorTimestamp(invitations.createdAt) })
      .from(invitations)
      .where(
        and(
          eq(invitations.orgId, ctx.orgId),
          pending(new Date()),
          afterCursor(invitations.createdAt, invitations.id, query.cursor),
        ),
      )
      .orderBy(desc(invitations.createdAt), desc(invitations.id))
      .limit(query.limit + 1),
  );
  const page = toPage(rows, query.limit);
  return { data: page.rows.map(toInvitation), next_cursor: page.nextCursor };
}

/** Revokes a pending invitation. Revoking twice is a no-op; an accepted one is a 409. */
export async function revokeInvitation(ctx: ServiceContext, id: string): Promise<void> {
  await inOrg(ctx, async (tx) => {
    const [row] = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.orgId, ctx.orgId), eq(invitations.id, id)))
      .for('update');
    if (!row)
      throw new AppError('INVITATION_NOT_FOUND', `Invitation ${id} not found.`, { invitation_id: id });
    if (row.revokedAt) return;
    if (row.acceptedAt) {
      throw new AppError('CONFLICT', 'This invitation was already accepted; remove the member instead.', {
        reason: 'invitation_accepted',
      });
    }
    if (row.role === 'owner') assertMayTouchOwner(await actorRole(tx, ctx), 'revoke an owner invitation');
    await tx.update(invitations).set({ revokedAt: new Date() }).where(eq(invitations.id, id));
    await recordAudit(tx, ctx, {
      action: 'invitation.revoked',
      resourceType: 'invitation',
      resourceId: id,
      details: { email: row.email, role: row.role },
    });
  });
}
