import { APP_ROLE } from '@agentflow/db';
import { invitations, orgMemberships, users } from '@agentflow/db/schema';
import { MemoryMailer } from '@agentflow/services';
import { startTestSmtpServer } from '@agentflow/services/testing/smtp';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createApiKey } from '../../test-support/auth';
import type { LogCapture } from '../../test-support/log-capture';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import {
  addMember,
  createOrgWithOwner,
  expectAudit,
  TEST_USER_AGENT,
  type TestMember,
} from './test-fixtures';

const shared = sharedTestDatabase();
let app: App;
let logs: LogCapture;
const mailer = new MemoryMailer();
const owner = () => shared.get().db;
const APP_URL = 'https://app.agentflow.test';

beforeAll(async () => {
  await shared.setup();
  ({ app, logs } = await createTestApp({
    database: shared.get().connectAs(APP_ROLE),
    mailer,
    config: { appUrl: APP_URL },
  }));
});
afterAll(async () => {
  await app?.close();
  await shared.teardown();
});
beforeEach(() => {
  mailer.failWith = undefined;
});

const send = (
  who: TestMember,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
) => app.inject({ method, url, headers: who.headers, ...(payload === undefined ? {} : { payload }) });
const accept = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/invitations/accept',
    headers: { 'user-agent': TEST_USER_AGENT, ...headers },
    payload,
  });

/** Invites `email` and returns the token from the emailed link. */
async function invite(admin: TestMember, email: string, role = 'editor') {
  const res = await send(admin, 'POST', '/api/v1/org/members/invite', { email, role });
  expect(res.statusCode, res.body).toBe(201);
  const mail = mailer.last()!;
  expect(mail.to).toBe(email.toLowerCase());
  const match = /\/invite\/accept\?token=([A-Za-z0-9_-]+)/.exec(mail.text);
  expect(match, 'accept link in the email').not.toBeNull();
  expect(mail.text).toContain(`${APP_URL}/invite/accept?token=`);
  return { invitation: res.json() as { id: string; email_sent: boolean }, token: match![1]! };
}

describe('invite -> accept', () => {
  it('a new user accepts: account created, member with the invited role, session issued, audited', async () => {
    const admin = await createOrgWithOwner(app, 'Invite Co');
    const { invitation, token } = await invite(admin, 'New.Person@Example.com', 'editor');
    expect(invitation).toMatchObject({ email: 'new.person@example.com', role: 'editor', email_sent: true });
    expect(invitation).not.toHaveProperty('token');
    expect(mailer.last()!.subject).toContain('Invite Co');

    // Only the hash is stored.
    const [stored] = await owner().select().from(invitations).where(eq(invitations.id, invitation.id));
    expect(stored!.tokenHash).not.toContain(token);
    expect(stored!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    const lifetime = stored!.expiresAt.getTime() - stored!.createdAt.getTime();
    expect(Math.abs(lifetime - 7 * 24 * 3600 * 1000)).toBeLessThan(5000);
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'member.invited',
      resourceId: invitation.id,
      actor: admin,
      details: { email: 'new.person@example.com', role: 'editor' },
    });

    const res = await accept({ token, name: 'New Person', password: 'correct horse battery' });
    expect(res.statusCode, res.body).toBe(200);
    const session = res.json();
    expect(session).toMatchObject({
      token_type: 'Bearer',
      role: 'editor',
      organization: { id: admin.orgId },
      user: { email: 'new.person@example.com', name: 'New Person' },
    });
    expect(res.headers['set-cookie']).toBeDefined();
    const me = await app.inject({
      method: 'GET',
      url: '/api/v1/org/members',
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    expect(me.statusCode).toBe(200);

    const [user] = await owner().select().from(users).where(eq(users.email, 'new.person@example.com'));
    expect(user!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user!.emailVerifiedAt).not.toBeNull();
    const row = await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'invitation.accepted',
      resourceId: invitation.id,
      actor: { ...admin, userId: user!.id },
      details: { user_created: true, role: 'editor' },
    });
    expect(row.userId).toBe(user!.id);

    // Single use.
    const again = await accept({ token, password: 'correct horse battery' });
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe('INVITATION_ALREADY_USED');
  });

  it('an existing user accepts while signed in (and must be, and must be the invited email)', async () => {
    const admin = await createOrgWithOwner(app);
    const elsewhere = await createOrgWithOwner(app);
    const existing = await addMember(app, elsewhere.orgId, 'viewer', `existing-${Date.now()}@example.com`);
    const stranger = await addMember(app, elsewhere.orgId, 'viewer');
    const { token } = await invite(admin, existing.email, 'admin');

    const anonymous = await accept({ token, password: 'some long password' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error).toMatchObject({
      code: 'AUTH_REQUIRED',
      details: { reason: 'existing_account' },
    });

    const wrongPerson = await accept({ token }, { authorization: `Bearer ${stranger.token}` });
    expect(wrongPerson.statusCode).toBe(403);
    expect(wrongPerson.json().error.code).toBe('INVITATION_EMAIL_MISMATCH');

    const badToken = await accept({ token }, { authorization: 'Bearer not-a-jwt' });
    expect(badToken.statusCode).toBe(401);
    expect(badToken.json().error.code).toBe('AUTH_TOKEN_INVALID');
    // Optional auth: credentials are checked when sent; an API key is not a person.
    const key = await createApiKey(app, elsewhere.orgId, ['agents:read']);
    const withKey = await accept({ token }, key.headers);
    expect(withKey.statusCode).toBe(403);
    expect(withKey.json().error.details).toMatchObject({ reason: 'user_required' });

    const ok = await accept({ token }, { authorization: `Bearer ${existing.token}` });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({
      role: 'admin',
      organization: { id: admin.orgId },
      user: { id: existing.userId },
    });
    const memberships = await owner()
      .select()
      .from(orgMemberships)
      .where(eq(orgMemberships.userId, existing.userId));
    expect(memberships.map((m) => m.orgId).sort()).toEqual([admin.orgId, elsewhere.orgId].sort());
  });

  it('expired, revoked and unknown tokens are refused with their own codes', async () => {
    const admin = await createOrgWithOwner(app);
    const expired = await invite(admin, 'late@example.com');
    await owner()
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, expired.invitation.id));
    const res = await accept({ token: expired.token, password: 'long enough password' });
    expect(res.statusCode).toBe(410);
    expect(res.json().error.code).toBe('INVITATION_EXPIRED');

    const revoked = await invite(admin, 'revoked@example.com');
    const del = await send(admin, 'DELETE', `/api/v1/org/invitations/${revoked.invitation.id}`);
    expect(del.statusCode).toBe(204);
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'invitation.revoked',
      resourceId: revoked.invitation.id,
      actor: admin,
    });
    const afterRevoke = await accept({ token: revoked.token, password: 'long enough password' });
    expect(afterRevoke.statusCode).toBe(410);
    expect(afterRevoke.json().error.code).toBe('INVITATION_REVOKED');

    const unknown = await accept({ token: 'A'.repeat(43), password: 'long enough password' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('INVITATION_NOT_FOUND');

    const fresh = await invite(admin, 'needs-password@example.com');
    const noPassword = await accept({ token: fresh.token });
    expect(noPassword.statusCode).toBe(422);
    expect(noPassword.json().error.details.fields[0].path).toBe('body.password');
    // The signup password policy (contracts passwordSchema: 10-256 characters).
    for (const password of ['short', 'x'.repeat(9), 'x'.repeat(257)]) {
      const weak = await accept({ token: fresh.token, password });
      expect(weak.statusCode).toBe(422);
      expect(weak.json().error.details.fields[0].path).toBe('body.password');
    }
  });

  it('previews an invitation for the accept page: org, role, inviter, account; errors like accepting', async () => {
    const admin = await createOrgWithOwner(app, 'Preview Co');
    const preview = (token: string) =>
      app.inject({ method: 'POST', url: '/api/v1/invitations/preview', payload: { token } });

    const { token } = await invite(admin, 'Preview.Person@example.com', 'editor');
    const res = await preview(token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      email: 'preview.person@example.com',
      role: 'editor',
      organization: { name: 'Preview Co' },
      account_exists: false,
    });
    expect(res.json().invited_by).toBeTruthy();
    expect(Date.parse(res.json().expires_at)).toBeGreaterThan(Date.now());

    // An existing account: the page offers to sign in instead.
    const elsewhere = await createOrgWithOwner(app);
    const existing = await addMember(app, elsewhere.orgId, 'viewer', `known-${Date.now()}@example.com`);
    const forExisting = await invite(admin, existing.email, 'viewer');
    expect((await preview(forExisting.token)).json()).toMatchObject({ account_exists: true, role: 'viewer' });

    // Used, revoked, expired, unknown: the same codes as accepting.
    expect((await accept({ token, password: 'correct horse battery' })).statusCode).toBe(200);
    expect((await preview(token)).json().error.code).toBe('INVITATION_ALREADY_USED');
    const revoked = await invite(admin, 'preview-revoked@example.com');
    await send(admin, 'DELETE', `/api/v1/org/invitations/${revoked.invitation.id}`);
    expect((await preview(revoked.token)).json().error.code).toBe('INVITATION_REVOKED');
    const expired = await invite(admin, 'preview-late@example.com');
    await owner()
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, expired.invitation.id));
    const late = await preview(expired.token);
    expect(late.statusCode).toBe(410);
    expect(late.json().error.code).toBe('INVITATION_EXPIRED');
    const unknown = await preview('A'.repeat(43));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('INVITATION_NOT_FOUND');
    expect(logs.text).not.toContain(token);
  });

  it('re-inviting an email revokes the pending invitation; the list shows pending ones only', async () => {
    const admin = await createOrgWithOwner(app);
    const first = await invite(admin, 'twice@example.com');
    const second = await invite(admin, 'twice@example.com', 'viewer');
    await invite(admin, 'other@example.com');

    const old = await accept({ token: first.token, password: 'long enough password' });
    expect(old.json().error.code).toBe('INVITATION_REVOKED');
    const list = await send(admin, 'GET', '/api/v1/org/invitations');
    expect(list.statusCode).toBe(200);
    const emails = (list.json().data as { id: string; email: string }[]).map((i) => `${i.email}:${i.id}`);
    expect(emails.sort()).toEqual(
      [`twice@example.com:${second.invitation.id}`, expect.stringMatching(/^other@example.com:/)].sort(),
    );
    expect(JSON.stringify(list.json())).not.toMatch(/token/i);

    const ok = await accept({ token: second.token, password: 'long enough password' });
    expect(ok.json().role).toBe('viewer');
    expect((await send(admin, 'GET', '/api/v1/org/invitations')).json().data).toHaveLength(1);
    const revokeAccepted = await send(admin, 'DELETE', `/api/v1/org/invitations/${second.invitation.id}`);
    expect(revokeAccepted.statusCode).toBe(409);
  });

  it('refuses inviting an existing member (409); only owners invite owners; viewers get 403', async () => {
    const ownerUser = await createOrgWithOwner(app);
    const admin = await addMember(app, ownerUser.orgId, 'admin');
    const viewer = await addMember(app, ownerUser.orgId, 'viewer');

    const member = await send(admin, 'POST', '/api/v1/org/members/invite', {
      email: viewer.email,
      role: 'editor',
    });
    expect(member.statusCode).toBe(409);
    expect(member.json().error.details.reason).toBe('already_member');
    const asOwner = await send(admin, 'POST', '/api/v1/org/members/invite', {
      email: 'boss@example.com',
      role: 'owner',
    });
    expect(asOwner.statusCode).toBe(403);
    expect(
      (
        await send(ownerUser, 'POST', '/api/v1/org/members/invite', {
          email: 'boss@example.com',
          role: 'owner',
        })
      ).statusCode,
    ).toBe(201);

    for (const [method, url, body] of [
      ['POST', '/api/v1/org/members/invite', { email: 'x@example.com', role: 'viewer' }],
      ['GET', '/api/v1/org/invitations', undefined],
      ['DELETE', `/api/v1/org/invitations/${crypto.randomUUID()}`, undefined],
    ] as const) {
      const res = await send(viewer, method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    const bad = await send(admin, 'POST', '/api/v1/org/members/invite', {
      email: 'not-an-email',
      role: 'viewer',
    });
    expect(bad.statusCode).toBe(422);
  });

  it('another org cannot see or revoke the invitation (404)', async () => {
    const a = await createOrgWithOwner(app);
    const b = await createOrgWithOwner(app);
    const { invitation } = await invite(a, 'cross@example.com');
    const res = await send(b, 'DELETE', `/api/v1/org/invitations/${invitation.id}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('INVITATION_NOT_FOUND');
    expect((await send(b, 'GET', '/api/v1/org/invitations')).json().data).toEqual([]);
    const [row] = await owner()
      .select()
      .from(invitations)
      .where(and(eq(invitations.id, invitation.id)));
    expect(row!.revokedAt).toBeNull();
  });

  it('keeps the invitation when the mail transport fails (email_sent: false)', async () => {
    const admin = await createOrgWithOwner(app);
    mailer.failWith = new Error('connect ECONNREFUSED 127.0.0.1:2525');
    const res = await send(admin, 'POST', '/api/v1/org/members/invite', {
      email: 'bounce@example.com',
      role: 'viewer',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().email_sent).toBe(false);
    expect(logs.text).toContain('invitation email could not be sent');
  });

  it('never logs invitation tokens', async () => {
    const admin = await createOrgWithOwner(app);
    const { token } = await invite(admin, 'quiet@example.com');
    await accept({ token, password: 'long enough password' });
    await accept({ token, password: 'long enough password' });
    expect(logs.text).not.toContain(token);
  });
});

describe('invitation email over SMTP', () => {
  it('sends the accept link through a real SMTP server when SMTP_URL is set', async () => {
    const smtp = await startTestSmtpServer();
    const { app: smtpApp, logs: smtpLogs } = await createTestApp({
      database: shared.get().connectAs(APP_ROLE),
      config: { smtpUrl: smtp.url, mailFrom: 'AgentFlow <invites@agentflow.test>', appUrl: APP_URL },
    });
    try {
      const admin = await createOrgWithOwner(smtpApp, 'SMTP Org');
      const res = await smtpApp.inject({
        method: 'POST',
        url: '/api/v1/org/members/invite',
        headers: admin.headers,
        payload: { email: 'smtp.person@example.com', role: 'viewer' },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().email_sent).toBe(true);
      const mail = await smtp.waitForMail(1);
      expect(mail.to).toEqual(['smtp.person@example.com']);
      expect(mail.from).toBe('invites@agentflow.test');
      const match = /https:\/\/app\.agentflow\.test\/invite\/accept\?token=([A-Za-z0-9_-]{43})/.exec(
        mail.decoded,
      );
      expect(match).not.toBeNull();
      expect(smtpLogs.text).not.toContain(match![1]!);
      // The emailed token works.
      const ok = await smtpApp.inject({
        method: 'POST',
        url: '/api/v1/invitations/accept',
        payload: { token: match![1], password: 'long enough password' },
      });
      expect(ok.statusCode).toBe(200);
    } finally {
      await smtpApp.close();
      await smtp.close();
    }
  });
});
