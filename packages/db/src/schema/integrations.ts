import { index, integer, jsonb, pgTable, text, uuid, varchar } from 'drizzle-orm/pg-core';
import { createdAt, id, type JsonObject, timestamptz, updatedAt } from './columns';
import { organizations, users } from './orgs';

/** Third-party connections (Slack, GitHub, ...) whose credentials the vault seals per org. */
export const integrations = pgTable(
  'integrations',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    provider: varchar('provider', { length: 100 }).notNull(),
    name: varchar('name', { length: 255 }),
    status: varchar('status', { length: 50 }).notNull().default('connected'),
    // AES-256-GCM ciphertext under the org data key of data_key_version; never returned by the API.
    credentialsEncrypted: text('credentials_encrypted').notNull(),
    dataKeyVersion: integer('data_key_version'),
    credentialsHint: varchar('credentials_hint', { length: 32 }),
    scopes: text('scopes').array(),
    tokenExpiresAt: timestamptz('token_expires_at'),
    metadata: jsonb('metadata').$type<JsonObject>().notNull().default({}),
    connectedBy: uuid('connected_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('integrations_org_created_idx').on(
      t.orgId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index('integrations_org_provider_idx').on(t.orgId, t.provider),
  ],
);
