import {
  AppError,
  type CreateTeamBody,
  type Page,
  type PaginationQuery,
  type Team,
  type TeamDetail,
  type UpdateTeamBody,
} from '@agentflow/contracts';
import { type Db, isUniqueViolation } from '@agentflow/db';
import { orgMemberships, teamMemberships, teams, users } from '@agentflow/db/schema';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { afterCursor, cursorTimestamp, recordAudit, toPage } from '../audit';
import { inOrg, type ServiceContext } from '../context';

const teamColumns = {
  id: teams.id,
  name: teams.name,
  description: teams.description,
  createdAt: teams.createdAt,
  updatedAt: teams.updatedAt,
  // Qualified by hand: inside a single-table select drizzle leaves column names unqualified, and a bare
  // "id" in the subquery would resolve to team_memberships.id.
  memberCount: sql<number>`(select count(*)::int from ${teamMemberships} tm where tm.team_id = ${teams}.id)`,
};
type TeamRow = {
  id: string;
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
  memberCount: number;
};

function toTeam(row: TeamRow): Team {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    member_count: Number(row.memberCount),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** Fetch-or-throw within the org: another org's team is TEAM_NOT_FOUND. */
export async function getTeamInOrg(tx: Db, ctx: ServiceContext, id: string): Promise<TeamRow> {
  const [row] = await tx
    .select(teamColumns)
    .from(teams)
    .where(and(eq(teams.orgId, ctx.orgId), eq(teams.id, id)));
  if (!row) throw new AppError('TEAM_NOT_FOUND', `Team ${id} not found.`, { team_id: id });
  return row;
}

export async function listTeams(ctx: ServiceContext, query: PaginationQuery): Promise<Page<Team>> {
  const rows = await inOrg(ctx, (tx) =>
    tx
      .select({ ...teamColumns, cursorAt: cursorTimestamp(teams.createdAt) })
      .from(teams)
      .where(and(eq(teams.orgId, ctx.orgId), afterCursor(teams.createdAt, teams.id, query.cursor)))
      .orderBy(desc(teams.createdAt), desc(teams.id))
      .limit(query.limit + 1),
  );
  const page = toPage(rows, query.limit);
  return { data: page.rows.map(toTeam), next_cursor: page.nextCursor };
}

/** The team with its members (teams are small; the list is not paginated). */
export async function getTeam(ctx: ServiceContext, id: string): Promise<TeamDetail> {
  return inOrg(ctx, async (tx) => {
    const team = await getTeamInOrg(tx, ctx, id);
    const members = await tx
      .select({
        userId: users.id,
        email: users.email,
        name: users.name,
        role: orgMemberships.role,
        addedAt: teamMemberships.createdAt,
      })
      .from(teamMemberships)
      .innerJoin(users, eq(users.id, teamMemberships.userId))
      .innerJoin(
        orgMemberships,
        and(eq(orgMemberships.userId, teamMemberships.userId), eq(orgMemberships.orgId, ctx.orgId)),
      )
      .where(and(eq(teamMemberships.orgId, ctx.orgId), eq(teamMemberships.teamId, id)))
      .orderBy(asc(teamMemberships.createdAt), asc(users.email));
    return {
      ...toTeam(team),
      members: members.map((m) => ({
        user_id: m.userId,
        email: m.email,
        name: m.name,
        role: m.role,
        added_at: m.addedAt.toISOString(),
      })),
    };
  });
}

export async function createTeam(ctx: ServiceContext, body: CreateTeamBody): Promise<Team> {
  return withNameConflict(body.name, () =>
    inOrg(ctx, async (tx) => {
      const [row] = await tx
        .insert(teams)
        .values({ orgId: ctx.orgId, name: body.name, description: body.description ?? null })
        .returning();
      await recordAudit(tx, ctx, {
        action: 'team.created',
        resourceType: 'team',
        resourceId: row!.id,
        details: { name: body.name },
      });
      return toTeam({ ...row!, memberCount: 0 });
    }),
  );
}

export async function updateTeam(ctx: ServiceContext, id: string, body: UpdateTeamBody): Promise<Team> {
  return withNameConflict(body.name, () =>
    inOrg(ctx, async (tx) => {
      const before = await getTeamInOrg(tx, ctx, id);
      const patch: Partial<typeof teams.$inferInsert> = {};
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (body.name !== undefined && body.name !== before.name) {
        patch.name = body.name;
        changes.name = { from: before.name, to: body.name };
      }
      if (body.description !== undefined && body.description !== before.description) {
        patch.description = body.description;
        changes.description = { from: before.description, to: body.description };
      }
      if (Object.keys(patch).length === 0) return toTeam(before);
      const [row] = await tx
        .update(teams)
        .set(patch)
        .where(and(eq(teams.orgId, ctx.orgId), eq(teams.id, id)))
        .returning();
      await recordAudit(tx, ctx, {
        action: 'team.updated',
        resourceType: 'team',
        resourceId: id,
        details: { changes },
      });
      return toTeam({ ...row!, memberCount: before.memberCount });
    }),
  );
}

export async function deleteTeam(ctx: ServiceContext, id: string): Promise<void> {
  await inOrg(ctx, async (tx) => {
    const team = await getTeamInOrg(tx, ctx, id);
    // team_memberships cascade with the team.
    await tx.delete(teams).where(and(eq(teams.orgId, ctx.orgId), eq(teams.id, id)));
    await recordAudit(tx, ctx, {
      action: 'team.deleted',
      resourceType: 'team',
      resourceId: id,
      details: { name: team.name, member_count: Number(team.memberCount) },
    });
  });
}

async function withNameConflict<T>(name: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('CONFLICT', `A team named "${name}" already exists.`, {
        fields: [{ path: 'body.name', message: 'already exists', code: 'team_name_taken' }],
      });
    }
    throw error;
  }
}
