'use client';

import { type Permission, roleHasPermission } from '@agentflow/contracts';
import { useAuthStore } from './auth-store';

/**
 * Whether the signed-in role has a permission of the matrix (contracts/roles.ts). The API checks it
 * again; the UI uses it to leave out actions the API would refuse with 403.
 */
export function useCan(permission: Permission): boolean {
  return useAuthStore((s) => (s.session ? roleHasPermission(s.session.role, permission) : false));
}
