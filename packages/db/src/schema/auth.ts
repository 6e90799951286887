import { type AnyPgColumn, boolean, index, inet, pgTable, text, uuid, varchar } from 'drizzle-orm/pg-core';
import { createdAt, id, timestamptz } from './columns';
import { organizations, users } from './orgs';

export const defaultApiKeyScopes = ['agents:read', 'agents:write', 'executions:read'] as const;

/**
 * Refresh tokens (one row per issued token). Rotation: using a token revokes it and points
 * replaced_by at its successor in the same family; presenting an already-replaced token is reuse,
 * and revokes the whole family.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // The org the session is acting in; null until the user belongs to one (e.g. mid-invite).
    orgId: uuid('org_id').references(() => organizations.id, { onDelete: 'cascade' }),
    tokenHash: varchar('token_hash', { length: 255 }).notNull().unique(),
    familyId: uuid('family_id').notNull(),
    expiresAt: timestamptz('expires_at').notNull(),
    revokedAt: timestamptz('revoked_at'),
    revokedReason: varchar('revoked_reason', { length: 50 }),
    replacedBy: uuid('replaced_by').references((): AnyPgColumn => refreshTokens.id, { onDelete: 'set null' }),
    ipAddress: inet('ip_address'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastUsedAt: timestamptz('last_used_at'),
  },
  (t) => [
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
    index('refresh_tokens_org_idx').on(t.orgId),
    // Purging expired tokens scans by expiry.
    index('refresh_tokens_expires_idx').on(t.expiresAt),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    name: varchar('name', { length: 255 }),
    // SHA-256 of the full key; requests are authenticated by hashing and looking this up.
    keyHash: varchar('key_hash', { length: 255 }).notNull().unique(),
    // Shown in the UI to recognise a key; the key itself is never stored.
    keyPrefix: varchar('key_prefix', { length: 32 }).notNull(),
    scopes: text('scopes')
      .array()
      .notNull()
      .default([...defaultApiKeyScopes]),
    lastUsedAt: timestamptz('last_used_at'),
    expiresAt: timestamptz('expires_at'),
    isActive: boolean('is_active').notNull().default(true),
    revokedAt: timestamptz('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('api_keys_org_created_idx').on(t.orgId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);
