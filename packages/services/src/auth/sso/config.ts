import {
  AppError,
  type SsoConfigBody,
  type SsoDefaultRole,
  ssoDefaultRoleSchema,
} from '@agentflow/contracts';
import { asSystem, type Db, withOrg } from '@agentflow/db';
import { organizations } from '@agentflow/db/schema';
import { and, eq, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAudit } from '../../audit';
import { inOrg, type ServiceContext } from '../../context';

/** The org's SSO setup, stored in `organizations.settings.sso` (no table of its own). */
export interface OrgSsoConfig {
  workosOrganizationId: string;
  connectionId: string | null;
  defaultRole: SsoDefaultRole;
  enforce: boolean;
}

/** Settings key. Also writable through `PUT /org` (settings merge): the reader trusts nothing it finds. */
export const SSO_SETTINGS_KEY = 'sso';

// Re-validated on every read: settings are free-form JSON, and a value written some other way (PUT
// /org, a manual edit) must never grant, say, the owner role. Anything invalid = SSO not configured.
const storedSchema = z.object({
  workos_organization_id: z.string().regex(/^org_[A-Za-z0-9]+$/),
  connection_id: z
    .string()
    .regex(/^conn_[A-Za-z0-9]+$/)
    .nullish(),
  default_role: ssoDefaultRoleSchema,
  enforce: z.boolean().optional(),
});

export function parseSsoSettings(
  settings: Record<string, unknown> | null | undefined,
): OrgSsoConfig | undefined {
  const parsed = storedSchema.safeParse(settings?.[SSO_SETTINGS_KEY]);
  if (!parsed.success) return undefined;
  return {
    workosOrganizationId: parsed.data.workos_organization_id,
    connectionId: parsed.data.connection_id ?? null,
    defaultRole: parsed.data.default_role,
    enforce: parsed.data.enforce ?? false,
  };
}

function toStored(config: OrgSsoConfig) {
  return {
    workos_organization_id: config.workosOrganizationId,
    connection_id: config.connectionId,
    default_role: config.defaultRole,
    enforce: config.enforce,
  };
}

/** The org's slug and SSO config (undefined config = not configured). */
export async function getOrgSsoConfig(
  ctx: ServiceContext,
): Promise<{ slug: string; config: OrgSsoConfig | undefined }> {
  return inOrg(ctx, async (tx) => {
    const org = await loadOrg(tx, ctx.orgId);
    if (!org) throw new AppError('NOT_FOUND', 'Organization not found.');
    return { slug: org.slug, config: parseSsoSettings(org.settings) };
  });
}

/**
 * Sets the org's SSO config (audited `sso.configured`). A WorkOS organization can serve one of our
 * orgs only: otherwise an admin who learned another customer's WorkOS id could have that customer's
 * employees provisioned into their org through its sign-in link.
 */
export async function putOrgSsoConfig(
  ctx: ServiceContext,
  body: SsoConfigBody,
): Promise<{ slug: string; config: OrgSsoConfig }> {
  const config: OrgSsoConfig = {
    workosOrganizationId: body.workos_organization_id,
    connectionId: body.connection_id ?? null,
    defaultRole: body.default_role,
    enforce: body.enforce,
  };
  const claimed = await asSystem(
    ctx.db,
    'sso config: is this WorkOS organization used by another org',
    (tx) =>
      tx
        .select({ id: organizations.id })
        .from(organizations)
        .where(
          and(
            ne(organizations.id, ctx.orgId),
            sql`${organizations.settings} -> ${SSO_SETTINGS_KEY} ->> 'workos_organization_id' = ${config.workosOrganizationId}`,
          ),
        )
        .limit(1),
  );
  if (claimed.length > 0) {
    throw new AppError('CONFLICT', 'This WorkOS organization is already connected to another organization.', {
      fields: [{ path: 'body.workos_organization_id', message: 'already in use', code: 'taken' }],
    });
  }
  return inOrg(ctx, async (tx) => {
    // Row lock, then read-modify-write: a concurrent PUT /org settings merge cannot lose its keys.
    const org = await loadOrg(tx, ctx.orgId, true);
    if (!org) throw new AppError('NOT_FOUND', 'Organization not found.');
    const before = parseSsoSettings(org.settings);
    await tx
      .update(organizations)
      .set({ settings: { ...org.settings, [SSO_SETTINGS_KEY]: toStored(config) } })
      .where(eq(organizations.id, ctx.orgId));
    await recordAudit(tx, ctx, {
      action: 'sso.configured',
      resourceType: 'organization',
      resourceId: ctx.orgId,
      details: { before: before ? toStored(before) : null, after: toStored(config) },
    });
    return { slug: org.slug, config };
  });
}

/** Removes the org's SSO config (audited `sso.removed`). Existing users keep their accounts. */
export async function deleteOrgSsoConfig(ctx: ServiceContext): Promise<void> {
  await inOrg(ctx, async (tx) => {
    const org = await loadOrg(tx, ctx.orgId, true);
    if (!org) throw new AppError('NOT_FOUND', 'Organization not found.');
    if (!(SSO_SETTINGS_KEY in org.settings)) return;
    const { [SSO_SETTINGS_KEY]: removed, ...rest } = org.settings;
    await tx.update(organizations).set({ settings: rest }).where(eq(organizations.id, ctx.orgId));
    const before = parseSsoSettings({ [SSO_SETTINGS_KEY]: removed });
    await recordAudit(tx, ctx, {
      action: 'sso.removed',
      resourceType: 'organization',
      resourceId: ctx.orgId,
      details: { before: before ? toStored(before) : null },
    });
  });
}

/** Sign-in start: the org named by a public slug, if it has SSO configured. */
export async function findSsoOrgBySlug(
  db: Db,
  slug: string,
): Promise<{ orgId: string; config: OrgSsoConfig } | undefined> {
  const [org] = await asSystem(db, 'sso authorize: find the org by its public slug (no credentials)', (tx) =>
    tx
      .select({ id: organizations.id, settings: organizations.settings })
      .from(organizations)
      .where(eq(organizations.slug, slug))
      .limit(1),
  );
  const config = org ? parseSsoSettings(org.settings) : undefined;
  return org && config ? { orgId: org.id, config } : undefined;
}

/** Callback: the config of the org named in a verified state (re-read: it may have changed since). */
export async function loadSsoConfig(db: Db, orgId: string): Promise<OrgSsoConfig | undefined> {
  return withOrg(db, orgId, async (tx) => {
    const org = await loadOrg(tx, orgId);
    return org ? parseSsoSettings(org.settings) : undefined;
  });
}

async function loadOrg(tx: Db, orgId: string, forUpdate = false) {
  const query = tx
    .select({ slug: organizations.slug, settings: organizations.settings })
    .from(organizations)
    .where(eq(organizations.id, orgId));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}
