import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../test-support/drivers';
import { query } from '../test-support/sql';
import type { TestDatabase } from '../testing';

// The full inventory: a table or index dropped from the schema by accident fails here by name.
const expectedIndexes: Record<string, string[]> = {
  organizations: [
    'organizations_pkey',
    'organizations_slug_unique',
    'organizations_stripe_customer_id_unique',
  ],
  users: ['users_pkey', 'users_email_unique', 'users_auth_provider_id_key'],
  org_memberships: ['org_memberships_pkey', 'org_memberships_user_org_key', 'org_memberships_org_idx'],
  teams: ['teams_pkey', 'teams_org_name_key', 'teams_org_created_idx'],
  team_memberships: [
    'team_memberships_pkey',
    'team_memberships_user_team_key',
    'team_memberships_team_idx',
    'team_memberships_org_idx',
  ],
  invitations: [
    'invitations_pkey',
    'invitations_token_hash_unique',
    'invitations_org_created_idx',
    'invitations_org_email_idx',
  ],
  org_data_keys: ['org_data_keys_pkey', 'org_data_keys_org_version_key', 'org_data_keys_one_active_key'],
  refresh_tokens: [
    'refresh_tokens_pkey',
    'refresh_tokens_token_hash_unique',
    'refresh_tokens_family_idx',
    'refresh_tokens_user_idx',
    'refresh_tokens_org_idx',
    'refresh_tokens_expires_idx',
  ],
  api_keys: ['api_keys_pkey', 'api_keys_key_hash_unique', 'api_keys_org_created_idx'],
  llm_models: ['llm_models_pkey', 'llm_models_org_name_key', 'llm_models_org_created_idx'],
  agent_templates: [
    'agent_templates_pkey',
    'agent_templates_slug_unique',
    'agent_templates_category_idx',
    'agent_templates_author_org_idx',
  ],
  agents: ['agents_pkey', 'agents_org_created_idx', 'agents_org_status_idx'],
  agent_versions: ['agent_versions_pkey', 'agent_versions_agent_version_key', 'agent_versions_org_idx'],
  agent_nodes: ['agent_nodes_pkey', 'agent_nodes_version_key_key', 'agent_nodes_org_idx'],
  agent_edges: [
    'agent_edges_pkey',
    'agent_edges_version_idx',
    'agent_edges_org_idx',
    'agent_edges_source_idx',
    'agent_edges_target_idx',
  ],
  executions: [
    'executions_pkey',
    'idx_executions_agent',
    'idx_executions_org',
    'idx_executions_status',
    'idx_executions_created',
    'executions_org_status_idx',
    'executions_lease_expires_idx',
    'executions_org_idempotency_key',
  ],
  execution_steps: ['execution_steps_pkey', 'execution_steps_execution_idx', 'execution_steps_org_idx'],
  execution_logs: ['execution_logs_pkey', 'execution_logs_execution_idx', 'execution_logs_org_idx'],
  execution_events: [
    'execution_events_pkey',
    'execution_events_execution_seq_key',
    'execution_events_org_idx',
  ],
  graph_checkpoints: [
    'graph_checkpoints_pkey',
    'graph_checkpoints_org_idx',
    'graph_checkpoints_execution_idx',
  ],
  graph_checkpoint_blobs: [
    'graph_checkpoint_blobs_pkey',
    'graph_checkpoint_blobs_org_idx',
    'graph_checkpoint_blobs_execution_idx',
  ],
  graph_checkpoint_writes: [
    'graph_checkpoint_writes_pkey',
    'graph_checkpoint_writes_org_idx',
    'graph_checkpoint_writes_execution_idx',
  ],
  integrations: ['integrations_pkey', 'integrations_org_created_idx', 'integrations_org_provider_idx'],
  knowledge_bases: ['knowledge_bases_pkey', 'knowledge_bases_org_created_idx'],
  documents: [
    'documents_pkey',
    'documents_kb_created_idx',
    'documents_org_idx',
    'documents_kb_content_hash_idx',
  ],
  document_chunks: [
    'document_chunks_pkey',
    'idx_chunks_embedding',
    'document_chunks_tsv_idx',
    'document_chunks_document_idx',
    'document_chunks_kb_idx',
    'document_chunks_org_idx',
  ],
  subscriptions: [
    'subscriptions_pkey',
    'subscriptions_stripe_subscription_id_unique',
    'subscriptions_org_idx',
  ],
  usage_records: ['usage_records_pkey', 'usage_records_org_recorded_idx', 'usage_records_execution_idx'],
  usage_daily: ['usage_daily_pkey', 'usage_daily_org_date_key'],
  stripe_events: ['stripe_events_pkey', 'stripe_events_event_id_unique', 'stripe_events_org_idx'],
  audit_logs: ['audit_logs_pkey', 'idx_audit_org_date', 'audit_logs_resource_idx'],
  webhook_endpoints: [
    'webhook_endpoints_pkey',
    'webhook_endpoints_hook_id_unique',
    'webhook_endpoints_org_created_idx',
    'webhook_endpoints_agent_idx',
  ],
  webhook_deliveries: [
    'webhook_deliveries_pkey',
    'webhook_deliveries_endpoint_delivery_key',
    'webhook_deliveries_org_idx',
    'webhook_deliveries_expires_idx',
  ],
  idempotency_keys: ['idempotency_keys_pkey', 'idempotency_keys_org_key_key', 'idempotency_keys_expires_idx'],
  execution_approvals: [
    'execution_approvals_pkey',
    'execution_approvals_org_status_idx',
    'execution_approvals_execution_idx',
    'execution_approvals_expires_idx',
    'execution_approvals_one_pending',
  ],
  agent_schedules: [
    'agent_schedules_pkey',
    'agent_schedules_agent_id_unique',
    'agent_schedules_org_idx',
    'agent_schedules_active_idx',
  ],
};

// Tables that may hold rows of no org (global models / templates, pre-org sessions, Stripe events).
const nullableOrgTables = ['llm_models', 'refresh_tokens', 'stripe_events'];
const notTenantTables = ['organizations', 'users', 'agent_templates'];

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`schema ${driver.label}`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await driver.create();
    });
    afterAll(async () => {
      await database?.cleanup();
    });

    it('has every expected table and no unexpected one', async () => {
      const rows = await query<{ table_name: string }>(
        database,
        sql`select table_name from information_schema.tables
            where table_schema = 'public' and table_type = 'BASE TABLE'`,
      );
      const actual = rows.map((r) => r.table_name).sort();
      expect(actual).toEqual(Object.keys(expectedIndexes).sort());
    });

    it('has every expected index', async () => {
      const rows = await query<{ tablename: string; indexname: string }>(
        database,
        sql`select tablename, indexname from pg_indexes where schemaname = 'public'`,
      );
      const missing: string[] = [];
      for (const [table, indexes] of Object.entries(expectedIndexes)) {
        for (const index of indexes) {
          if (!rows.some((r) => r.tablename === table && r.indexname === index))
            missing.push(`${table}.${index}`);
        }
      }
      expect(missing).toEqual([]);
    });

    it('indexes embeddings with HNSW cosine and chunk text with GIN', async () => {
      const rows = await query<{ indexname: string; indexdef: string }>(
        database,
        sql`select indexname, indexdef from pg_indexes where tablename = 'document_chunks'`,
      );
      const def = (name: string) => rows.find((r) => r.indexname === name)?.indexdef ?? '';
      // Half precision (migration 0004, ADR 0007): queries must order by this very expression.
      expect(def('idx_chunks_embedding')).toMatch(
        /USING hnsw \(\(\(embedding\)::halfvec\(1536\)\) halfvec_cosine_ops\) WITH \(m='?16'?, ef_construction='?128'?\)/,
      );
      expect(def('document_chunks_tsv_idx')).toMatch(/USING gin \(content_tsv\)/);
    });

    it('gives every tenant table an org_id with an index leading on it', async () => {
      const columns = await query<{ table_name: string; is_nullable: string }>(
        database,
        sql`select table_name, is_nullable from information_schema.columns
            where table_schema = 'public' and column_name = 'org_id'`,
      );
      const withOrg = new Map(columns.map((c) => [c.table_name, c.is_nullable === 'YES']));
      const tenantTables = Object.keys(expectedIndexes).filter((t) => !notTenantTables.includes(t));
      expect(tenantTables.filter((t) => !withOrg.has(t))).toEqual([]);
      const nullable = [...withOrg].filter(([, isNullable]) => isNullable).map(([t]) => t);
      expect(nullable.sort()).toEqual(nullableOrgTables.sort());

      // First key column of each index, by table.
      const leading = await query<{ table_name: string; column_name: string }>(
        database,
        sql`select t.relname as table_name, a.attname as column_name
            from pg_index i
            join pg_class t on t.oid = i.indrelid
            join pg_namespace n on n.oid = t.relnamespace and n.nspname = 'public'
            join pg_attribute a on a.attrelid = t.oid and a.attnum = i.indkey[0]`,
      );
      const unindexed = tenantTables.filter(
        (t) => !leading.some((l) => l.table_name === t && l.column_name === 'org_id'),
      );
      expect(unindexed).toEqual([]);
    });

    it('uses timestamptz for every timestamp column', async () => {
      const rows = await query<{ table_name: string; column_name: string }>(
        database,
        sql`select table_name, column_name from information_schema.columns
            where table_schema = 'public' and data_type = 'timestamp without time zone'`,
      );
      expect(rows).toEqual([]);
    });
  });
}
