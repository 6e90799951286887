import { randomBytes } from 'node:crypto';
import { AppError, type Role } from '@agentflow/contracts';
import { asSystem, type Db, withUser } from '@agentflow/db';
import { organizations, orgMemberships, users } from '@agentflow/db/schema';
import { asc, eq } from 'drizzle-orm';
import type { AuthDeps } from './deps';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords';
import { auditSession, type IssuedSession, issueSession, mintSession } from './sessions';
import {
  loadSubjects,
  type SessionOrg,
  type SessionUser,
  sessionOrgColumns,
  sessionUserColumns,
} from './subjects';
import type { RequestMeta, UserAuth } from './types';

/** Emails are stored and compared lower-cased (the unique constraint on users.email relies on it). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface SignupInput {
  email: string;
  password: string;
  name: string;
  organizationName?: string | undefined;
}

/** Creates the user, their organization (they are its owner) and a first session. */
export async function signup(deps: AuthDeps, input: SignupInput, meta: RequestMeta): Promise<IssuedSession> {
  const email = normalizeEmail(input.email);
  // Hashed before the transaction: ~60 ms of CPU must not hold a connection and row locks.
  const passwordHash = await hashPassword(input.password);
  const orgName = input.organizationName ?? `${input.name}'s organization`;
  return asSystem(deps.db, 'signup: create a user, their first org and owner membership', async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email, name: input.name, passwordHash, authProvider: 'email' })
      .onConflictDoNothing({ target: users.email })
      .returning(sessionUserColumns);
    if (!user) {
      throw new AppError('CONFLICT', 'An account with this email already exists.', {
        fields: [{ path: 'body.email', message: 'is already registered', code: 'taken' }],
      });
    }
    const org = await insertOrgWithUniqueSlug(tx, orgName);
    await tx.insert(orgMemberships).values({ userId: user.id, orgId: org.id, role: 'owner' });
    const session = await mintSession(tx, deps.signer, { user, org, role: 'owner' }, meta);
    await auditSession(tx, session, meta, 'auth.signup');
    return session;
  });
}

/** Lower-case ASCII letters and digits joined by single hyphens (the org slug format in contracts). */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');
  return slug.length >= 2 ? slug : 'org';
}

async function insertOrgWithUniqueSlug(tx: Db, name: string): Promise<SessionOrg> {
  const base = slugify(name);
  for (let attempt = 0; attempt < 8; attempt++) {
    const slug = attempt === 0 ? base : `${base}-${randomBytes(4).toString('hex').slice(0, 6)}`;
    // ON CONFLICT DO NOTHING, not catch-and-retry: a unique violation would abort the transaction.
    const [org] = await tx
      .insert(organizations)
      .values({ name, slug })
      .onConflictDoNothing({ target: organizations.slug })
      .returning(sessionOrgColumns);
    if (org) return org;
  }
  throw new Error('could not find a free organization slug');
}

export interface LoginInput {
  email: string;
  password: string;
  orgId?: string | undefined;
}

const invalidCredentials = () => new AppError('AUTH_INVALID_CREDENTIALS', 'Invalid email or password.');

/**
 * Email + password -> a session in `orgId` or else the user's oldest membership. Unknown email, wrong
 * password, SSO-only and disabled accounts all get the same error after the same amount of hashing.
 */
export async function login(deps: AuthDeps, input: LoginInput, meta: RequestMeta): Promise<IssuedSession> {
  const email = normalizeEmail(input.email);
  await deps.limiter.assertAllowed(email);
  const account = await asSystem(deps.db, 'login: find the user by email and their orgs', async (tx) => {
    const [user] = await tx
      .select({ id: users.id, passwordHash: users.passwordHash, isActive: users.isActive })
      .from(users)
      .where(eq(users.email, email))
      .limit(1);
    if (!user) return undefined;
    const memberships = await tx
      .select({ orgId: orgMemberships.orgId })
      .from(orgMemberships)
      .where(eq(orgMemberships.userId, user.id))
      .orderBy(asc(orgMemberships.createdAt), asc(orgMemberships.id));
    return { ...user, orgIds: memberships.map((m) => m.orgId) };
  });
  const valid = account?.passwordHash
    ? await verifyPassword(account.passwordHash, input.password)
    : await verifyAgainstDummy(input.password);
  if (!account || !valid || !account.isActive) {
    await deps.limiter.recordFailure(email);
    throw invalidCredentials();
  }
  await deps.limiter.reset(email);
  const orgId = input.orgId ?? account.orgIds[0];
  if (!orgId) {
    throw new AppError('FORBIDDEN', 'This account does not belong to any organization.', {
      reason: 'no_membership',
    });
  }
  if (!account.orgIds.includes(orgId)) throw new AppError('ORG_NOT_FOUND', 'Organization not found.');
  const session = await issueSession(deps, { userId: account.id, orgId }, meta, { action: 'auth.login' });
  // Best effort and outside the session transaction: a failed timestamp must not fail the sign-in.
  await withUser(deps.db, account.id, (tx) =>
    tx.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, account.id)),
  ).catch(() => undefined);
  return session;
}

export interface Me {
  user: SessionUser;
  org: SessionOrg;
  role: Role;
  orgs: (SessionOrg & { role: Role })[];
}

/** The signed-in user, the org of their token, their role there, and every org they belong to. */
export async function getMe(deps: Pick<AuthDeps, 'db'>, auth: UserAuth): Promise<Me> {
  return withUser(
    deps.db,
    auth.userId,
    async (tx) => {
      const current = await loadSubjects(tx, auth.userId, auth.orgId);
      if (!current)
        throw new AppError('AUTH_TOKEN_INVALID', 'You are no longer a member of this organization.');
      const orgs = await tx
        .select({ ...sessionOrgColumns, role: orgMemberships.role })
        .from(orgMemberships)
        .innerJoin(organizations, eq(organizations.id, orgMemberships.orgId))
        .where(eq(orgMemberships.userId, auth.userId))
        .orderBy(asc(orgMemberships.createdAt), asc(orgMemberships.id));
      return { user: current.user, org: current.org, role: current.role, orgs };
    },
    { orgId: auth.orgId },
  );
}
