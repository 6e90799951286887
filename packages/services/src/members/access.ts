import { AppError, type Role } from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { orgMemberships } from '@agentflow/db/schema';
import { and, eq } from 'drizzle-orm';
import type { ServiceContext } from '../context';

/**
 * The acting user's role, read inside the mutation's transaction: the route's authorize() already
 * checked the permission, but rules that compare roles (only owners manage owners) need the fresh value.
 */
export async function actorRole(tx: Db, ctx: ServiceContext): Promise<Role> {
  if (ctx.actor.type !== 'user') {
    throw new AppError('FORBIDDEN', 'Managing members needs a signed-in user, not an API key.');
  }
  const [row] = await tx
    .select({ role: orgMemberships.role })
    .from(orgMemberships)
    .where(and(eq(orgMemberships.orgId, ctx.orgId), eq(orgMemberships.userId, ctx.actor.userId)));
  if (!row) throw new AppError('FORBIDDEN', 'You are not a member of this organization.');
  return row.role;
}

/** Only owners may grant, take away or remove the owner role. */
export function assertMayTouchOwner(actor: Role, action: string): void {
  if (actor !== 'owner') {
    throw new AppError('FORBIDDEN', `Only an owner can ${action}.`, { required_role: 'owner' });
  }
}

/**
 * Locks the org's owner memberships and returns their user ids. Two owners demoting each other at
 * once both wait here; the second then sees one owner left and is refused, so an org never ends up
 * without an owner.
 */
export async function lockOwners(tx: Db, ctx: ServiceContext): Promise<string[]> {
  const rows = await tx
    .select({ userId: orgMemberships.userId })
    .from(orgMemberships)
    .where(and(eq(orgMemberships.orgId, ctx.orgId), eq(orgMemberships.role, 'owner')))
    .for('update');
  return rows.map((row) => row.userId);
}

export function lastOwnerConflict(verb: 'demote' | 'remove'): AppError {
  return new AppError(
    'CONFLICT',
    `Cannot ${verb} the last owner of the organization: make another member an owner first.`,
    { reason: 'last_owner' },
  );
}
