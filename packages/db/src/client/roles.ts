/**
 * Database roles created by the `rls` migration (ADR 0005). Both are NOLOGIN: the login user holds
 * them and switches with SET ROLE, so one connection string serves migrations and the app.
 */

/** Subject to row-level security: the session role of the API and the worker. */
export const APP_ROLE = 'agentflow_app';

/** BYPASSRLS: only ever entered per transaction through `asSystem()`. */
export const SYSTEM_ROLE = 'agentflow_system';

// Role names end up in a startup option (`-c role=...`) and in SET ROLE, where they cannot be bound
// as parameters: accept plain lower-case identifiers only, so no quoting is ever needed.
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertRoleName(role: string): string {
  if (!ROLE_NAME.test(role)) {
    throw new Error(`Invalid database role name "${role}": use lower-case letters, digits and _`);
  }
  return role;
}
