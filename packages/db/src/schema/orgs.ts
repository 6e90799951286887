import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  unique,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { createdAt, id, type JsonObject, timestamptz, updatedAt } from './columns';

export const orgRoles = ['owner', 'admin', 'editor', 'viewer'] as const;
export type OrgRole = (typeof orgRoles)[number];

export const organizations = pgTable('organizations', {
  id: id(),
  name: varchar('name', { length: 255 }).notNull(),
  slug: varchar('slug', { length: 100 }).notNull().unique(),
  plan: varchar('plan', { length: 50 }).notNull().default('starter'),
  stripeCustomerId: varchar('stripe_customer_id', { length: 255 }).unique(),
  settings: jsonb('settings').$type<JsonObject>().notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const users = pgTable(
  'users',
  {
    id: id(),
    // Services store emails lower-cased, so a plain unique constraint is case-insensitive in effect.
    email: varchar('email', { length: 255 }).notNull().unique(),
    name: varchar('name', { length: 255 }),
    avatarUrl: text('avatar_url'),
    passwordHash: varchar('password_hash', { length: 255 }),
    authProvider: varchar('auth_provider', { length: 50 }).notNull().default('email'),
    authProviderId: varchar('auth_provider_id', { length: 255 }),
    isActive: boolean('is_active').notNull().default(true),
    // Instance operators (not org roles): may define global LLM models and official templates.
    isInstanceAdmin: boolean('is_instance_admin').notNull().default(false),
    emailVerifiedAt: timestamptz('email_verified_at'),
    lastLoginAt: timestamptz('last_login_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // SSO logins look users up by the provider's subject id.
    uniqueIndex('users_auth_provider_id_key')
      .on(t.authProvider, t.authProviderId)
      .where(sql`${t.authProviderId} is not null`),
  ],
);

export const orgMemberships = pgTable(
  'org_memberships',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    // Least privilege by default; the org creator is inserted as 'owner' explicitly.
    role: varchar('role', { length: 50 }).$type<OrgRole>().notNull().default('viewer'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('org_memberships_user_org_key').on(t.userId, t.orgId),
    index('org_memberships_org_idx').on(t.orgId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);

export const teams = pgTable(
  'teams',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: varchar('name', { length: 255 }).notNull(),
    description: text('description'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('teams_org_name_key').on(t.orgId, t.name),
    index('teams_org_created_idx').on(t.orgId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);

export const teamMemberships = pgTable(
  'team_memberships',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    unique('team_memberships_user_team_key').on(t.userId, t.teamId),
    index('team_memberships_team_idx').on(t.teamId),
    index('team_memberships_org_idx').on(t.orgId),
  ],
);

export const invitations = pgTable(
  'invitations',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    email: varchar('email', { length: 255 }).notNull(),
    role: varchar('role', { length: 50 }).$type<OrgRole>().notNull().default('viewer'),
    // Only a hash is stored: the raw single-use token exists in the emailed link alone.
    tokenHash: varchar('token_hash', { length: 255 }).notNull().unique(),
    expiresAt: timestamptz('expires_at').notNull(),
    acceptedAt: timestamptz('accepted_at'),
    acceptedBy: uuid('accepted_by').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: timestamptz('revoked_at'),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('invitations_org_created_idx').on(
      t.orgId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index('invitations_org_email_idx').on(t.orgId, t.email),
  ],
);

/**
 * Envelope encryption: each org's data encryption key (DEK), wrapped by the instance master key.
 * Secrets record the key_version they were sealed with, so a DEK rotation never orphans them.
 */
export const orgDataKeys = pgTable(
  'org_data_keys',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    keyVersion: integer('key_version').notNull(),
    wrappedKey: text('wrapped_key').notNull(),
    // Which master key wrapped it, so the master key can be rotated by re-wrapping.
    masterKeyId: varchar('master_key_id', { length: 100 }).notNull().default('default'),
    algorithm: varchar('algorithm', { length: 50 }).notNull().default('aes-256-gcm'),
    createdAt: createdAt(),
    retiredAt: timestamptz('retired_at'),
  },
  (t) => [
    unique('org_data_keys_org_version_key').on(t.orgId, t.keyVersion),
    // At most one active (unretired) key per org: the one new secrets are sealed with.
    uniqueIndex('org_data_keys_one_active_key').on(t.orgId).where(sql`${t.retiredAt} is null`),
  ],
);
