import { boolean, index, integer, pgTable, text, unique, uuid, varchar } from 'drizzle-orm/pg-core';
import { agents } from './agents';
import { createdAt, id, timestamptz, updatedAt } from './columns';
import { executions } from './executions';
import { organizations, users } from './orgs';

export const webhookModes = ['signed', 'token'] as const;
export type WebhookMode = (typeof webhookModes)[number];

/**
 * Inbound webhook triggers. hook_id is the public, unguessable path segment; the org is derived
 * from the row, never from the request. Rotation keeps the previous secret valid until
 * previous_secret_expires_at so senders can switch over without dropped deliveries.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    hookId: varchar('hook_id', { length: 64 }).notNull().unique(),
    // signed: HMAC signature header; token: shared secret in a header.
    mode: varchar('mode', { length: 20 }).$type<WebhookMode>().notNull().default('signed'),
    secretEncrypted: text('secret_encrypted').notNull(),
    previousSecretEncrypted: text('previous_secret_encrypted'),
    previousSecretExpiresAt: timestamptz('previous_secret_expires_at'),
    dataKeyVersion: integer('data_key_version'),
    isActive: boolean('is_active').notNull().default(true),
    lastTriggeredAt: timestamptz('last_triggered_at'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('webhook_endpoints_org_created_idx').on(
      t.orgId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index('webhook_endpoints_agent_idx').on(t.agentId),
  ],
);

/**
 * Delivery ids already accepted per endpoint (replay dedupe): a re-sent delivery maps to the run it
 * started instead of starting another. Rows expire after the signature tolerance window.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    deliveryId: varchar('delivery_id', { length: 255 }).notNull(),
    executionId: uuid('execution_id').references(() => executions.id, { onDelete: 'set null' }),
    receivedAt: timestamptz('received_at').notNull().defaultNow(),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [
    unique('webhook_deliveries_endpoint_delivery_key').on(t.endpointId, t.deliveryId),
    index('webhook_deliveries_org_idx').on(t.orgId),
    index('webhook_deliveries_expires_idx').on(t.expiresAt),
  ],
);

/**
 * Idempotency-Key header bookkeeping for execution-starting requests (API, SDK, webhooks). The
 * first request inserts (org_id, key); a retry with the same key gets the same execution back, and
 * one with a different body (request_hash) is rejected.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    key: varchar('key', { length: 255 }).notNull(),
    requestHash: varchar('request_hash', { length: 64 }),
    executionId: uuid('execution_id').references(() => executions.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [
    unique('idempotency_keys_org_key_key').on(t.orgId, t.key),
    index('idempotency_keys_expires_idx').on(t.expiresAt),
  ],
);
