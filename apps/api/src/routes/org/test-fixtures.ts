import type { Role } from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { auditLogs } from '@agentflow/db/schema';
import { and, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { App } from '../../app';
import { addMember as addTestMember, createUserWithOrg, type TestUser } from '../../test-support/auth';

/**
 * Test-only fixtures for the organization routes, on top of test-support/auth.ts (real users, orgs and
 * sessions, no HTTP login). Requests carry a fixed user agent so audit rows can be checked.
 */

export const TEST_USER_AGENT = 'agentflow-org-tests/1.0';

export interface TestMember {
  userId: string;
  orgId: string;
  email: string;
  role: Role;
  token: string;
  /** Authorization + User-Agent headers for inject(). */
  headers: Record<string, string>;
}

function toMember(user: TestUser): TestMember {
  return {
    userId: user.user.id,
    orgId: user.org.id,
    email: user.user.email,
    role: user.role,
    token: user.accessToken,
    headers: { ...user.headers, 'user-agent': TEST_USER_AGENT },
  };
}

/** The owner of a new org. */
export async function createOrgWithOwner(app: App, orgName?: string): Promise<TestMember> {
  return toMember(await createUserWithOrg(app, orgName ? { orgName } : {}));
}

/** A new user with `role` in `orgId`, signed in there. */
export async function addMember(app: App, orgId: string, role: Role, email?: string): Promise<TestMember> {
  return toMember(await addTestMember(app, orgId, role, email ? { email } : {}));
}

/**
 * Asserts exactly one audit row for `action` on `resourceId`, written by `actor` from the test
 * client (IP, user agent and request id recorded). Returns it.
 */
export async function expectAudit(
  owner: Db,
  expected: {
    orgId: string;
    action: string;
    resourceId: string;
    actor: TestMember;
    details?: Record<string, unknown>;
  },
) {
  const rows = await owner
    .select()
    .from(auditLogs)
    .where(
      and(
        eq(auditLogs.orgId, expected.orgId),
        eq(auditLogs.action, expected.action),
        eq(auditLogs.resourceId, expected.resourceId),
      ),
    );
  expect(rows, `audit rows for ${expected.action}`).toHaveLength(1);
  const row = rows[0]!;
  expect(row.userId).toBe(expected.actor.userId);
  expect(row.details).toMatchObject({ actor: { type: 'user', user_id: expected.actor.userId } });
  expect(row.ipAddress).toBe('127.0.0.1');
  expect(row.userAgent).toBe(TEST_USER_AGENT);
  expect(row.requestId).toMatch(/^req_/);
  if (expected.details) expect(row.details).toMatchObject(expected.details);
  return row;
}
