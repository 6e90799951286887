import { AppError, type Org, type UpdateOrgBody } from '@agentflow/contracts';
import { type Db, isUniqueViolation } from '@agentflow/db';
import { organizations } from '@agentflow/db/schema';
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit';
import { inOrg, type ServiceContext } from '../context';

type OrgRow = typeof organizations.$inferSelect;

export function toOrg(row: OrgRow): Org {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    plan: row.plan,
    settings: row.settings,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

async function loadOrg(tx: Db, ctx: ServiceContext, forUpdate = false): Promise<OrgRow> {
  const query = tx.select().from(organizations).where(eq(organizations.id, ctx.orgId));
  const [row] = forUpdate ? await query.for('update') : await query;
  // The org comes from a verified token, so this only happens if it was deleted meanwhile.
  if (!row) throw new AppError('NOT_FOUND', 'Organization not found.');
  return row;
}

export async function getOrg(ctx: ServiceContext): Promise<Org> {
  return toOrg(await inOrg(ctx, (tx) => loadOrg(tx, ctx)));
}

/** Name and slug replace; `settings` merges key by key (null removes a key). */
export async function updateOrg(ctx: ServiceContext, body: UpdateOrgBody): Promise<Org> {
  try {
    return await inOrg(ctx, async (tx) => {
      // Row lock: two concurrent settings merges must not lose each other's keys.
      const before = await loadOrg(tx, ctx, true);
      const patch: Partial<typeof organizations.$inferInsert> = {};
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (body.name !== undefined && body.name !== before.name) {
        patch.name = body.name;
        changes.name = { from: before.name, to: body.name };
      }
      if (body.slug !== undefined && body.slug !== before.slug) {
        patch.slug = body.slug;
        changes.slug = { from: before.slug, to: body.slug };
      }
      if (body.settings !== undefined) {
        const merged = mergeSettings(before.settings, body.settings);
        patch.settings = merged;
        // Values are not copied into the trail: settings may hold things admins pasted in.
        changes.settings = { from: Object.keys(before.settings), to: Object.keys(merged) };
      }
      if (Object.keys(patch).length === 0) return before;
      const [after] = await tx
        .update(organizations)
        .set(patch)
        .where(eq(organizations.id, ctx.orgId))
        .returning();
      await recordAudit(tx, ctx, {
        action: 'org.updated',
        resourceType: 'organization',
        resourceId: ctx.orgId,
        details: { changes },
      });
      return after!;
    }).then(toOrg);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('CONFLICT', `The slug "${body.slug}" is already taken.`, {
        fields: [{ path: 'body.slug', message: 'already taken', code: 'slug_taken' }],
      });
    }
    throw error;
  }
}

function mergeSettings(current: Record<string, unknown>, patch: Record<string, unknown>) {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
