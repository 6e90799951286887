import { describe, expect, it } from 'vitest';
import { type Permission, permissions, type Role, roleAtLeast, roleHasPermission, roles } from './roles';

// Seed 004 §8.2 transcribed row by row: owner, admin, editor, viewer.
const expected: Record<Permission, [boolean, boolean, boolean, boolean]> = {
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
};

describe('permission matrix (seed 004 §8.2)', () => {
  it('covers exactly the ten permissions of the PRD', () => {
    expect([...permissions].sort()).toEqual(Object.keys(expected).sort());
  });

  const cases = permissions.flatMap((permission) =>
    roles.map((role, i) => ({ role, permission, allowed: expected[permission][i] as boolean })),
  );
  it.each(cases)('$role / $permission -> $allowed', ({ role, permission, allowed }) => {
    expect(roleHasPermission(role as Role, permission)).toBe(allowed);
  });

  it('orders roles owner > admin > editor > viewer', () => {
    expect(roleAtLeast('owner', 'admin')).toBe(true);
    expect(roleAtLeast('admin', 'admin')).toBe(true);
    expect(roleAtLeast('editor', 'admin')).toBe(false);
    expect(roleAtLeast('viewer', 'editor')).toBe(false);
  });
});
