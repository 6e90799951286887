import { boolean, index, jsonb, pgTable, uuid, varchar } from 'drizzle-orm/pg-core';
import { agents } from './agents';
import { createdAt, id, type JsonObject, timestamptz, updatedAt } from './columns';
import { organizations } from './orgs';

/**
 * The cron schedule of an agent whose published version starts with a schedule trigger: one row per
 * agent, rewritten on publish, paused with the agent (`is_active`). The row is the truth the
 * schedulers (BullMQ job schedulers with Redis, an in-process timer without) are reconciled from;
 * each tick starts its execution with idempotency key `schedule:{agent}:{tick}`, so however many
 * processes fire the same tick, one execution exists.
 */
export const agentSchedules = pgTable(
  'agent_schedules',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id')
      .notNull()
      .unique()
      .references(() => agents.id, { onDelete: 'cascade' }),
    cron: varchar('cron', { length: 255 }).notNull(),
    timezone: varchar('timezone', { length: 64 }).notNull().default('UTC'),
    /** Fixed trigger data each scheduled run starts with. */
    data: jsonb('data').$type<JsonObject>().notNull().default({}),
    isActive: boolean('is_active').notNull().default(true),
    lastTickAt: timestamptz('last_tick_at'),
    nextRunAt: timestamptz('next_run_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('agent_schedules_org_idx').on(t.orgId), index('agent_schedules_active_idx').on(t.isActive)],
);
