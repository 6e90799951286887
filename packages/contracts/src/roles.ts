import { z } from 'zod';

/** Org roles, strongest first (seed 004 §8.2: Owner > Admin > Editor > Viewer). */
export const roles = ['owner', 'admin', 'editor', 'viewer'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/**
 * The permission matrix of seed 004 §8.2, exactly. Reading the org's agents, executions' metadata and
 * the member list needs only membership; everything below needs the listed role.
 */
export const permissionMatrix = {
  'agents:create': ['owner', 'admin', 'editor'],
  'agents:edit': ['owner', 'admin', 'editor'],
  'agents:delete': ['owner', 'admin'],
  'agents:execute': ['owner', 'admin', 'editor'],
  'executions:view': ['owner', 'admin', 'editor', 'viewer'],
  'integrations:manage': ['owner', 'admin'],
  'members:manage': ['owner', 'admin'],
  'billing:manage': ['owner'],
  'audit:view': ['owner', 'admin'],
  'api_keys:manage': ['owner', 'admin'],
  'knowledge:manage': ['owner', 'admin', 'editor'],
} as const satisfies Record<string, readonly Role[]>;

export type MatrixPermission = keyof typeof permissionMatrix;
export const matrixPermissions = Object.keys(permissionMatrix) as MatrixPermission[];

/**
 * Reading the org's own resources needs only membership (every role, viewer included); the PRD's
 * matrix lists the actions that need more.
 */
export const memberPermissions = [
  'org:view',
  'members:view',
  'agents:view',
  'knowledge:view',
  'models:view',
  'integrations:view',
] as const;
export type MemberPermission = (typeof memberPermissions)[number];

export type Permission = MatrixPermission | MemberPermission;
export const permissions: Permission[] = [...matrixPermissions, ...memberPermissions];

export function roleHasPermission(role: Role, permission: Permission): boolean {
  if ((memberPermissions as readonly string[]).includes(permission)) return true;
  return (permissionMatrix[permission as MatrixPermission] as readonly Role[]).includes(role);
}

/** Scopes an org API key can carry. A key acts for the org, limited to its scopes. */
export const apiKeyScopes = [
  'agents:read',
  'agents:write',
  'executions:read',
  'executions:write',
  'knowledge:read',
  'knowledge:write',
] as const;
export const apiKeyScopeSchema = z.enum(apiKeyScopes);
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;
export const defaultApiKeyScopes: ApiKeyScope[] = ['agents:read', 'agents:write', 'executions:read'];

/**
 * The scope an API key needs for each permission; `null`: never allowed with an API key (managing
 * members, keys, billing, integrations and reading the audit log need a signed-in person).
 */
export const permissionScope: Record<Permission, ApiKeyScope | null> = {
  'agents:create': 'agents:write',
  'agents:edit': 'agents:write',
  'agents:delete': 'agents:write',
  'agents:execute': 'executions:write',
  'executions:view': 'executions:read',
  'integrations:manage': null,
  'members:manage': null,
  'billing:manage': null,
  'audit:view': null,
  'api_keys:manage': null,
  'knowledge:manage': 'knowledge:write',
  'org:view': 'agents:read',
  'members:view': null,
  'agents:view': 'agents:read',
  'knowledge:view': 'knowledge:read',
  'models:view': 'agents:read',
  'integrations:view': null,
};

/** `a` outranks or equals `b` (an admin may not promote anyone above admin, for instance). */
export function roleAtLeast(a: Role, b: Role): boolean {
  return roles.indexOf(a) <= roles.indexOf(b);
}
