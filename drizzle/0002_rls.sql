-- Row-level security, defense in depth under the services' own org filters (ADR 0005).
--
-- Roles are cluster-wide (test databases on one server share them): created idempotently, never
-- dropped. Creating a BYPASSRLS role needs a superuser; on a server where the migrating user is not
-- one, create both roles once as a superuser beforehand (and grant them to that user): the blocks
-- below then only check them.
--
-- Context, set per transaction by withOrg / withUser / asSystem in @agentflow/db:
--   app.org_id   the org of the verified token or API key: tenant rows of that org only
--   app.user_id  the signed-in user: their own users row, memberships and organizations
--   role agentflow_system (BYPASSRLS) for lookups that cannot know the org yet
-- Neither set (the bug RLS exists for): no row of any table below is visible or writable.
-- Superusers and BYPASSRLS roles skip all of this: tests seed fixtures through the owner connection.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'agentflow_app') THEN
    BEGIN
      CREATE ROLE agentflow_app NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- created at the same moment by a migration of another database on this server
    END;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'agentflow_system') THEN
    BEGIN
      CREATE ROLE agentflow_system NOLOGIN BYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
  -- Pre-created roles with the wrong attributes would silently defeat (or break) the policies.
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'agentflow_app' AND (rolbypassrls OR rolsuper)) THEN
    RAISE EXCEPTION 'role agentflow_app must not be SUPERUSER or BYPASSRLS: RLS would not apply to it';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'agentflow_system' AND NOT rolbypassrls) THEN
    RAISE EXCEPTION 'role agentflow_system exists without BYPASSRLS: run ALTER ROLE agentflow_system BYPASSRLS as a superuser';
  END IF;
  -- The app connects as this (login) user and switches with SET ROLE, which needs membership.
  -- Superusers are members of everything; re-granting would only raise notices.
  IF NOT pg_has_role(current_user, 'agentflow_app', 'MEMBER') THEN
    GRANT agentflow_app TO CURRENT_USER;
  END IF;
  IF NOT pg_has_role(current_user, 'agentflow_system', 'MEMBER') THEN
    GRANT agentflow_system TO CURRENT_USER;
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO agentflow_app, agentflow_system;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO agentflow_app, agentflow_system;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO agentflow_app, agentflow_system;
--> statement-breakpoint
-- Tables created by later migrations (run by this same user) get the same grants; their RLS must still
-- be enabled explicitly (packages/db/src/tenancy/rls.test.ts fails until it is).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO agentflow_app, agentflow_system;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO agentflow_app, agentflow_system;
--> statement-breakpoint
ALTER TABLE "agent_edges" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "agent_nodes" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "agent_templates" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "agent_versions" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "agents" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "audit_logs" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "document_chunks" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "documents" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "execution_events" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "execution_logs" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "execution_steps" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "executions" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "graph_checkpoint_blobs" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "graph_checkpoint_writes" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "graph_checkpoints" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "integrations" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "invitations" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "knowledge_bases" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "llm_models" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "org_data_keys" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "org_memberships" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "organizations" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "refresh_tokens" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "stripe_events" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "subscriptions" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "team_memberships" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "teams" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "usage_daily" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "usage_records" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "users" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "agent_edges" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "agent_nodes" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "agent_versions" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "agents" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "api_keys" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "audit_logs" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "document_chunks" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "documents" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "execution_events" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "execution_logs" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "execution_steps" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "executions" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "graph_checkpoint_blobs" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "graph_checkpoint_writes" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "graph_checkpoints" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "idempotency_keys" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "integrations" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "invitations" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "knowledge_bases" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "org_data_keys" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "stripe_events" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "subscriptions" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "team_memberships" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "teams" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "usage_daily" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "usage_records" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "webhook_deliveries" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "webhook_endpoints" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
-- organizations: the current org; read-only, the orgs the current user belongs to (org switcher, /auth/me).
-- Creating an org (signup) runs withOrg on the new, pre-generated id, or asSystem.
CREATE POLICY tenant_isolation ON "organizations" USING (id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY member_orgs_read ON "organizations" FOR SELECT USING (
  id IN (SELECT m.org_id FROM org_memberships m WHERE m.user_id = nullif(current_setting('app.user_id', true), '')::uuid)
);
--> statement-breakpoint
-- org_memberships: the org's members; read-only, the current user's own memberships in every org.
CREATE POLICY tenant_isolation ON "org_memberships" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY own_memberships_read ON "org_memberships" FOR SELECT USING (user_id = nullif(current_setting('app.user_id', true), '')::uuid);
--> statement-breakpoint
-- users (no org_id): the current user's own row; read-only, the members of the current org.
-- Creating users (signup, SSO provisioning, invitation accept) starts from a global lookup by email or
-- provider id, so it runs asSystem.
CREATE POLICY own_user ON "users" USING (id = nullif(current_setting('app.user_id', true), '')::uuid) WITH CHECK (id = nullif(current_setting('app.user_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY org_members_read ON "users" FOR SELECT USING (
  EXISTS (SELECT 1 FROM org_memberships m WHERE m.user_id = users.id AND m.org_id = nullif(current_setting('app.org_id', true), '')::uuid)
);
--> statement-breakpoint
-- refresh_tokens: the org's sessions, and the current user's own (org_id is null mid-invite).
-- Refresh and reuse detection look tokens up by hash: asSystem.
CREATE POLICY tenant_isolation ON "refresh_tokens" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY own_tokens ON "refresh_tokens" USING (user_id = nullif(current_setting('app.user_id', true), '')::uuid) WITH CHECK (user_id = nullif(current_setting('app.user_id', true), '')::uuid);
--> statement-breakpoint
-- llm_models: the org's models; read-only, global models (org_id null) to any org. Global models are
-- written by instance admins asSystem.
CREATE POLICY tenant_isolation ON "llm_models" USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY global_models_read ON "llm_models" FOR SELECT USING (org_id IS NULL AND nullif(current_setting('app.org_id', true), '')::uuid IS NOT NULL);
--> statement-breakpoint
-- agent_templates (author_org_id, no org_id): the org's own templates; read-only, public ones to any
-- org or user. Official (author-less) templates and install counts are written asSystem.
CREATE POLICY author_org ON "agent_templates" USING (author_org_id = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK (author_org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY public_templates_read ON "agent_templates" FOR SELECT USING (
  is_public AND (nullif(current_setting('app.org_id', true), '')::uuid IS NOT NULL OR nullif(current_setting('app.user_id', true), '')::uuid IS NOT NULL)
);
