import { index, inet, jsonb, pgTable, text, uuid, varchar } from 'drizzle-orm/pg-core';
import { apiKeys } from './auth';
import { createdAt, id, type JsonObject } from './columns';
import { organizations, users } from './orgs';

/** Append-only trail of who did what. Actors are SET NULL on delete so the trail survives them. */
export const auditLogs = pgTable(
  'audit_logs',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    // Set instead of user_id when the actor authenticated with an API key.
    apiKeyId: uuid('api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    action: varchar('action', { length: 100 }).notNull(),
    resourceType: varchar('resource_type', { length: 50 }),
    resourceId: uuid('resource_id'),
    details: jsonb('details').$type<JsonObject>().notNull().default({}),
    ipAddress: inet('ip_address'),
    userAgent: text('user_agent'),
    requestId: varchar('request_id', { length: 100 }),
    createdAt: createdAt(),
  },
  (t) => [
    // PRD index, with id appended as the cursor tie-breaker.
    index('idx_audit_org_date').on(t.orgId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('audit_logs_resource_idx').on(t.orgId, t.resourceType, t.resourceId),
  ],
);
