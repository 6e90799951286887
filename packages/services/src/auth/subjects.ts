import type { Role } from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { organizations, orgMemberships, users } from '@agentflow/db/schema';
import { and, eq } from 'drizzle-orm';

/** The parts of a user a session response shows (never the password hash). */
export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  avatarUrl: string | null;
  createdAt: Date;
  isActive: boolean;
}

export interface SessionOrg {
  id: string;
  name: string;
  slug: string;
  plan: string;
}

export interface SessionSubjects {
  user: SessionUser;
  org: SessionOrg;
  role: Role;
}

export const sessionUserColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  avatarUrl: users.avatarUrl,
  createdAt: users.createdAt,
  isActive: users.isActive,
};

export const sessionOrgColumns = {
  id: organizations.id,
  name: organizations.name,
  slug: organizations.slug,
  plan: organizations.plan,
};

/** The user, the org and the user's role in it; undefined when the user is not a member. */
export async function loadSubjects(
  tx: Db,
  userId: string,
  orgId: string,
): Promise<SessionSubjects | undefined> {
  const [row] = await tx
    .select({ user: sessionUserColumns, org: sessionOrgColumns, role: orgMemberships.role })
    .from(orgMemberships)
    .innerJoin(users, eq(users.id, orgMemberships.userId))
    .innerJoin(organizations, eq(organizations.id, orgMemberships.orgId))
    .where(and(eq(orgMemberships.userId, userId), eq(orgMemberships.orgId, orgId)))
    .limit(1);
  return row;
}
