import { AppError } from '@agentflow/contracts';
import { isUniqueViolation } from '@agentflow/db';
import { teamMemberships } from '@agentflow/db/schema';
import { and, eq } from 'drizzle-orm';
import { recordAudit } from '../audit';
import { inOrg, type ServiceContext } from '../context';
import { getMemberInOrg } from '../members';
import { getTeamInOrg } from './teams';

/** Adds an org member to a team. A user outside the org is MEMBER_NOT_FOUND; twice is a 409. */
export async function addTeamMember(ctx: ServiceContext, teamId: string, userId: string): Promise<void> {
  try {
    await inOrg(ctx, async (tx) => {
      const team = await getTeamInOrg(tx, ctx, teamId);
      const member = await getMemberInOrg(tx, ctx, userId);
      await tx.insert(teamMemberships).values({ orgId: ctx.orgId, teamId, userId });
      await recordAudit(tx, ctx, {
        action: 'team.member_added',
        resourceType: 'team',
        resourceId: teamId,
        details: { team_name: team.name, user_id: userId, email: member.email },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('CONFLICT', 'This user is already a member of the team.', {
        reason: 'already_team_member',
      });
    }
    throw error;
  }
}

export async function removeTeamMember(ctx: ServiceContext, teamId: string, userId: string): Promise<void> {
  await inOrg(ctx, async (tx) => {
    const team = await getTeamInOrg(tx, ctx, teamId);
    const removed = await tx
      .delete(teamMemberships)
      .where(
        and(
          eq(teamMemberships.orgId, ctx.orgId),
          eq(teamMemberships.teamId, teamId),
          eq(teamMemberships.userId, userId),
        ),
      )
      .returning({ id: teamMemberships.id });
    if (removed.length === 0) {
      throw new AppError('MEMBER_NOT_FOUND', `User ${userId} is not a member of this team.`, {
        user_id: userId,
      });
    }
    await recordAudit(tx, ctx, {
      action: 'team.member_removed',
      resourceType: 'team',
      resourceId: teamId,
      details: { team_name: team.name, user_id: userId },
    });
  });
}
