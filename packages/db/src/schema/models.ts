import { boolean, index, integer, jsonb, pgTable, text, unique, uuid, varchar } from 'drizzle-orm/pg-core';
import { createdAt, id, type JsonObject, updatedAt } from './columns';
import { organizations, users } from './orgs';

/**
 * LLM model registry (seed 000 §I.4). org_id null = a global model defined by an instance admin and
 * offered to every org; otherwise the org's own model with its own (encrypted) API key.
 */
export const llmModels = pgTable(
  'llm_models',
  {
    id: id(),
    orgId: uuid('org_id').references(() => organizations.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    name: varchar('name', { length: 255 }).notNull(),
    // openai | anthropic | ollama | azure_openai | google_vertex | ... (validated in contracts)
    provider: varchar('provider', { length: 50 }).notNull(),
    modelIdentifier: varchar('model_identifier', { length: 255 }).notNull(),
    // Sealed with the org data key (key version below); global models with the master key.
    apiKeyEncrypted: text('api_key_encrypted'),
    apiKeyHint: varchar('api_key_hint', { length: 32 }),
    dataKeyVersion: integer('data_key_version'),
    endpointUrl: text('endpoint_url'),
    // e.g. { "temperature": 0.7, "max_tokens": 2000 }
    params: jsonb('params').$type<JsonObject>().notNull().default({}),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // NULLS NOT DISTINCT: two global models may not share a name either.
    unique('llm_models_org_name_key').on(t.orgId, t.name).nullsNotDistinct(),
    index('llm_models_org_created_idx').on(
      t.orgId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
  ],
);
