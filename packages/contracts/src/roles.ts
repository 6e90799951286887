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
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissionMatrix;
export const permissions = Object.keys(permissionMatrix) as Permission[];

export function roleHasPermission(role: Role, permission: Permission): boolean {
  return (permissionMatrix[permission] as readonly Role[]).includes(role);
}

/** `a` outranks or equals `b` (an admin may not promote anyone above admin, for instance). */
export function roleAtLeast(a: Role, b: Role): boolean {
  return roles.indexOf(a) <= roles.indexOf(b);
}
