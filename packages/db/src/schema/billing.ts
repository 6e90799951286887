import {
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  unique,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { createdAt, id, type JsonObject, timestamptz, updatedAt } from './columns';
import { executions } from './executions';
import { organizations } from './orgs';

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    stripeSubscriptionId: varchar('stripe_subscription_id', { length: 255 }).unique(),
    stripePriceId: varchar('stripe_price_id', { length: 255 }),
    plan: varchar('plan', { length: 50 }).notNull(),
    status: varchar('status', { length: 50 }).notNull().default('active'),
    currentPeriodStart: timestamptz('current_period_start'),
    currentPeriodEnd: timestamptz('current_period_end'),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    canceledAt: timestamptz('canceled_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('subscriptions_org_idx').on(t.orgId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);

export const usageRecords = pgTable(
  'usage_records',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    // Billing history must outlive a deleted execution.
    executionId: uuid('execution_id').references(() => executions.id, { onDelete: 'set null' }),
    // execution | tokens | storage | ...
    recordType: varchar('record_type', { length: 50 }).notNull(),
    quantity: integer('quantity').notNull(),
    unitCost: numeric('unit_cost', { precision: 10, scale: 6 }),
    metadata: jsonb('metadata').$type<JsonObject>().notNull().default({}),
    recordedAt: timestamptz('recorded_at').notNull().defaultNow(),
  },
  (t) => [
    // The daily rollup and the usage page read an org's records by time range.
    index('usage_records_org_recorded_idx').on(t.orgId, t.recordedAt),
    index('usage_records_execution_idx').on(t.executionId),
  ],
);

/** Per-org per-day rollup of usage_records, upserted by the usage worker. */
export const usageDaily = pgTable(
  'usage_daily',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    date: date('date', { mode: 'string' }).notNull(),
    totalRuns: integer('total_runs').notNull().default(0),
    totalTokens: bigint('total_tokens', { mode: 'number' }).notNull().default(0),
    totalCost: numeric('total_cost', { precision: 10, scale: 4 }).notNull().default('0'),
    updatedAt: updatedAt(),
  },
  (t) => [unique('usage_daily_org_date_key').on(t.orgId, t.date)],
);

/**
 * Stripe webhook events already handled. Stripe retries and may deliver an event more than once;
 * inserting the id first (ON CONFLICT DO NOTHING) makes handling exactly-once.
 */
export const stripeEvents = pgTable(
  'stripe_events',
  {
    id: id(),
    eventId: varchar('event_id', { length: 255 }).notNull().unique(),
    type: varchar('type', { length: 100 }).notNull(),
    orgId: uuid('org_id').references(() => organizations.id, { onDelete: 'set null' }),
    processedAt: timestamptz('processed_at').notNull().defaultNow(),
  },
  (t) => [index('stripe_events_org_idx').on(t.orgId)],
);
