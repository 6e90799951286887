import { describe, expect, it } from 'vitest';
import {
  type MatrixPermission,
  matrixPermissions,
  memberPermissions,
  permissionScope,
  permissions,
  type Role,
  roleAtLeast,
  roleHasPermission,
  roles,
} from './roles';

// Seed 004 §8.2 transcribed row by row: owner, admin, editor, viewer.
const expected: Record<MatrixPermission, [boolean, boolean, boolean, boolean]> = {
  'agents:create': [true, true, true, false],
  'agents:edit': [true, true, true, false],
  'agents:delete': [true, true, false, false],
  'agents:execute': [true, true, true, false],
  'executions:view': [true, true, true, true],
  'integrations:manage': [true, true, false, false],
  'members:manage': [true, true, false, false],
  'billing:manage': [true, false, false, false],
  'audit:view': [true, true, false, false],
  'api_keys:manage': [true, true, false, false],
  // Issue 7: knowledge bases are written by whoever builds agents.
  'knowledge:manage': [true, true, true, false],
};

describe('permission matrix (seed 004 §8.2)', () => {
  it('covers exactly the permissions of the PRD plus knowledge:manage', () => {
    expect([...matrixPermissions].sort()).toEqual(Object.keys(expected).sort());
  });

  const cases = matrixPermissions.flatMap((permission) =>
    roles.map((role, i) => ({ role, permission, allowed: expected[permission][i] as boolean })),
  );
  it.each(cases)('$role / $permission -> $allowed', ({ role, permission, allowed }) => {
    expect(roleHasPermission(role as Role, permission)).toBe(allowed);
  });

  it.each(roles)('every member, %s included, may read the org resources', (role) => {
    for (const permission of memberPermissions) expect(roleHasPermission(role, permission)).toBe(true);
  });

  it('maps every permission to an API key scope or explicitly to none', () => {
    expect(Object.keys(permissionScope).sort()).toEqual([...permissions].sort());
    expect(permissionScope['members:manage']).toBeNull();
    expect(permissionScope['agents:execute']).toBe('executions:write');
  });

  it('orders roles owner > admin > editor > viewer', () => {
    expect(roleAtLeast('owner', 'admin')).toBe(true);
    expect(roleAtLeast('admin', 'admin')).toBe(true);
    expect(roleAtLeast('editor', 'admin')).toBe(false);
    expect(roleAtLeast('viewer', 'editor')).toBe(false);
  });
});
