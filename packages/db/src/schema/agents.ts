import {
  type AnyPgColumn,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  unique,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { createdAt, id, type JsonObject, timestamptz, updatedAt } from './columns';
import { organizations, users } from './orgs';

export const agentStatuses = ['draft', 'active', 'paused', 'archived'] as const;
export type AgentStatus = (typeof agentStatuses)[number];

/** Marketplace / catalog templates. Official ones have no author org and outlive any org. */
export const agentTemplates = pgTable(
  'agent_templates',
  {
    id: id(),
    // Stable key for templates loaded from catalog definition files (upserted on boot).
    slug: varchar('slug', { length: 100 }).unique(),
    name: varchar('name', { length: 255 }).notNull(),
    description: text('description'),
    category: varchar('category', { length: 100 }),
    definition: jsonb('definition').$type<JsonObject>().notNull(),
    icon: varchar('icon', { length: 50 }),
    isOfficial: boolean('is_official').notNull().default(false),
    isPublic: boolean('is_public').notNull().default(true),
    authorOrgId: uuid('author_org_id').references(() => organizations.id, { onDelete: 'set null' }),
    installCount: integer('install_count').notNull().default(0),
    rating: numeric('rating', { precision: 3, scale: 2 }).notNull().default('0'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('agent_templates_category_idx').on(t.category),
    index('agent_templates_author_org_idx').on(t.authorOrgId),
  ],
);

export const agents = pgTable(
  'agents',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    name: varchar('name', { length: 255 }).notNull(),
    description: text('description'),
    // Soft delete is status = 'archived' (PRD §3.3): executions keep pointing at the agent.
    status: varchar('status', { length: 50 }).$type<AgentStatus>().notNull().default('draft'),
    triggerType: varchar('trigger_type', { length: 50 }),
    triggerConfig: jsonb('trigger_config').$type<JsonObject>().notNull().default({}),
    isTemplate: boolean('is_template').notNull().default(false),
    templateId: uuid('template_id').references(() => agentTemplates.id, { onDelete: 'set null' }),
    settings: jsonb('settings').$type<JsonObject>().notNull().default({}),
    // The editor's working copy; publishing snapshots it into agent_versions.
    draftDefinition: jsonb('draft_definition').$type<JsonObject>().notNull().default({}),
    // Highest version number created so far (next publish uses latest_version + 1).
    latestVersion: integer('latest_version').notNull().default(0),
    // The version new executions pin; null until first publish.
    publishedVersionId: uuid('published_version_id').references((): AnyPgColumn => agentVersions.id, {
      onDelete: 'set null',
    }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('agents_org_created_idx').on(t.orgId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('agents_org_status_idx').on(t.orgId, t.status),
  ],
);

/** Immutable snapshots of an agent definition; running executions keep the one they started with. */
export const agentVersions = pgTable(
  'agent_versions',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    definition: jsonb('definition').$type<JsonObject>().notNull(),
    changeMessage: text('change_message'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    isPublished: boolean('is_published').notNull().default(false),
    publishedAt: timestamptz('published_at'),
    createdAt: createdAt(),
  },
  (t) => [
    unique('agent_versions_agent_version_key').on(t.agentId, t.version),
    index('agent_versions_org_idx').on(t.orgId),
  ],
);

/** The graph of a version, normalised for queries (the definition jsonb remains the source). */
export const agentNodes = pgTable(
  'agent_nodes',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    agentVersionId: uuid('agent_version_id')
      .notNull()
      .references(() => agentVersions.id, { onDelete: 'cascade' }),
    // The node's id inside the definition (chosen by the editor, e.g. "llm_1"), unique per version.
    nodeKey: varchar('node_key', { length: 100 }).notNull(),
    nodeType: varchar('node_type', { length: 50 }).notNull(),
    nodeSubtype: varchar('node_subtype', { length: 100 }).notNull(),
    label: varchar('label', { length: 255 }),
    config: jsonb('config').$type<JsonObject>().notNull().default({}),
    positionX: doublePrecision('position_x').notNull().default(0),
    positionY: doublePrecision('position_y').notNull().default(0),
  },
  (t) => [
    unique('agent_nodes_version_key_key').on(t.agentVersionId, t.nodeKey),
    index('agent_nodes_org_idx').on(t.orgId),
  ],
);

export const agentEdges = pgTable(
  'agent_edges',
  {
    id: id(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    agentVersionId: uuid('agent_version_id')
      .notNull()
      .references(() => agentVersions.id, { onDelete: 'cascade' }),
    sourceNodeId: uuid('source_node_id')
      .notNull()
      .references(() => agentNodes.id, { onDelete: 'cascade' }),
    targetNodeId: uuid('target_node_id')
      .notNull()
      .references(() => agentNodes.id, { onDelete: 'cascade' }),
    // Which output of the source (e.g. a condition's "true"/"false" branch).
    sourceHandle: varchar('source_handle', { length: 100 }),
    condition: jsonb('condition').$type<JsonObject>(),
    label: varchar('label', { length: 100 }),
  },
  (t) => [
    index('agent_edges_version_idx').on(t.agentVersionId),
    index('agent_edges_org_idx').on(t.orgId),
    index('agent_edges_source_idx').on(t.sourceNodeId),
    index('agent_edges_target_idx').on(t.targetNodeId),
  ],
);
