import { AppError, type Member, type MemberListQuery, type Page, type Role } from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { orgMemberships, refreshTokens, teamMemberships, users } from '@agentflow/db/schema';
import { and, desc, eq, isNull, type SQL } from 'drizzle-orm';
import { afterCursor, cursorTimestamp, recordAudit, toPage } from '../audit';
import { inOrg, type ServiceContext } from '../context';
import { actorRole, assertMayTouchOwner, lastOwnerConflict, lockOwners } from './access';

const memberColumns = {
  id: orgMemberships.id,
  cursorAt: cursorTimestamp(orgMemberships.createdAt),
  userId: users.id,
  email: users.email,
  name: users.name,
  avatarUrl: users.avatarUrl,
  role: orgMemberships.role,
  joinedAt: orgMemberships.createdAt,
};

type MemberRow = {
  userId: string;
  email: string;
  name: string | null;
  avatarUrl: string | null;
  role: Role;
  joinedAt: Date;
};

function toMember(row: MemberRow): Member {
  return {
    user_id: row.userId,
    email: row.email,
    name: row.name,
    avatar_url: row.avatarUrl,
    role: row.role,
    joined_at: row.joinedAt.toISOString(),
  };
}

/** Members, most recently joined first (the org_memberships list index). */
export async function listMembers(ctx: ServiceContext, query: MemberListQuery): Promise<Page<Member>> {
  const conditions: (SQL | undefined)[] = [
    eq(orgMemberships.orgId, ctx.orgId),
    query.role ? eq(orgMemberships.role, query.role) : undefined,
    afterCursor(orgMemberships.createdAt, orgMemberships.id, query.cursor),
  ];
  const rows = await inOrg(ctx, (tx) =>
    tx
      .select(memberColumns)
      .from(orgMemberships)
      .innerJoin(users, eq(users.id, orgMemberships.userId))
      .where(and(...conditions))
      .orderBy(desc(orgMemberships.createdAt), desc(orgMemberships.id))
      .limit(query.limit + 1),
  );
  const page = toPage(rows, query.limit);
  return { data: page.rows.map(toMember), next_cursor: page.nextCursor };
}

/** Fetch-or-throw by user id within the org (a user of another org is MEMBER_NOT_FOUND). */
export async function getMemberInOrg(tx: Db, ctx: ServiceContext, userId: string): Promise<MemberRow> {
  const [row] = await tx
    .select(memberColumns)
    .from(orgMemberships)
    .innerJoin(users, eq(users.id, orgMemberships.userId))
    .where(and(eq(orgMemberships.orgId, ctx.orgId), eq(orgMemberships.userId, userId)));
  if (!row) throw new AppError('MEMBER_NOT_FOUND', `Member ${userId} not found.`, { user_id: userId });
  return row;
}

export async function getMember(ctx: ServiceContext, userId: string): Promise<Member> {
  return toMember(await inOrg(ctx, (tx) => getMemberInOrg(tx, ctx, userId)));
}

export async function changeMemberRole(ctx: ServiceContext, userId: string, role: Role): Promise<Member> {
  return inOrg(ctx, async (tx) => {
    // Lock first, then read the actor's role: a concurrent change to the actor commits before we look.
    const owners = await lockOwners(tx, ctx);
    const actor = await actorRole(tx, ctx);
    const target = await getMemberInOrg(tx, ctx, userId);
    if (target.role === role) return toMember(target);
    if (target.role === 'owner' || role === 'owner') {
      assertMayTouchOwner(actor, role === 'owner' ? 'grant the owner role' : 'change the role of an owner');
    }
    if (target.role === 'owner' && owners.length <= 1) throw lastOwnerConflict('demote');
    await tx
      .update(orgMemberships)
      .set({ role })
      .where(and(eq(orgMemberships.orgId, ctx.orgId), eq(orgMemberships.userId, userId)));
    await recordAudit(tx, ctx, {
      action: 'member.role_changed',
      resourceType: 'member',
      resourceId: userId,
      details: { email: target.email, from: target.role, to: role },
    });
    return toMember({ ...target, role });
  });
}

/**
 * Removes the membership, the user's team memberships in this org, and revokes the refresh tokens
 * bound to this org, so the removed user can neither call the API (membership is re-read per request)
 * nor mint new access tokens for the org.
 */
export async function removeMember(ctx: ServiceContext, userId: string): Promise<void> {
  await inOrg(ctx, async (tx) => {
    const owners = await lockOwners(tx, ctx);
    const actor = await actorRole(tx, ctx);
    const target = await getMemberInOrg(tx, ctx, userId);
    if (target.role === 'owner') {
      assertMayTouchOwner(actor, 'remove an owner');
      if (owners.length <= 1) throw lastOwnerConflict('remove');
    }
    await tx
      .delete(teamMemberships)
      .where(and(eq(teamMemberships.orgId, ctx.orgId), eq(teamMemberships.userId, userId)));
    await tx
      .delete(orgMemberships)
      .where(and(eq(orgMemberships.orgId, ctx.orgId), eq(orgMemberships.userId, userId)));
    const revoked = await tx
      .update(refreshTokens)
      .set({ revokedAt: new Date(), revokedReason: 'membership_removed' })
      .where(
        and(
          eq(refreshTokens.orgId, ctx.orgId),
          eq(refreshTokens.userId, userId),
          isNull(refreshTokens.revokedAt),
        ),
      )
      .returning({ id: refreshTokens.id });
    await recordAudit(tx, ctx, {
      action: 'member.removed',
      resourceType: 'member',
      resourceId: userId,
      details: { email: target.email, role: target.role, sessions_revoked: revoked.length },
    });
  });
}
