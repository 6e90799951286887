import { AppError } from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { users } from '@agentflow/db/schema';
import { eq } from 'drizzle-orm';
import type { ServiceContext } from '../context';

/**
 * Global models belong to the instance, not to an org: only an instance admin (users.is_instance_admin,
 * set by the operator in the database) may change them. Read inside the write's asSystem transaction,
 * so a flag revoked concurrently cannot let one more write through.
 */
export async function assertInstanceAdmin(tx: Db, ctx: ServiceContext): Promise<void> {
  const userId = ctx.actor.type === 'user' ? ctx.actor.userId : undefined;
  const [row] = userId
    ? await tx.select({ admin: users.isInstanceAdmin }).from(users).where(eq(users.id, userId))
    : [];
  if (!row?.admin) {
    throw new AppError('FORBIDDEN', 'Only an instance admin can create, change or delete global models.', {
      reason: 'instance_admin_required',
    });
  }
}
