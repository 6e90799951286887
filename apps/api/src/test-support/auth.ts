/**
 * Signed-in callers for integration tests, without going through HTTP (fast: one argon2 hash per
 * process, no rate limits).
 *
 *   const { app } = await createTestApp({ database: db.get() });
 *   const owner = await createUserWithOrg(app);                       // owner of a new org
 *   const viewer = await addMember(app, owner.org.id, 'viewer');      // another user in that org
 *   await app.inject({ url: '/api/v1/org', headers: authHeader(viewer.accessToken) });
 *   const key = await createApiKey(app, owner.org.id, ['agents:read']);
 *   await app.inject({ url: '/api/v1/agents', headers: key.headers });
 *
 * Every helper returns real rows and real tokens (a refresh-token family exists for each session, so
 * logout/revocation behave as in production). `cookie` is a ready `Cookie` header for /auth/refresh,
 * /auth/logout. Use a fresh `email` per test or `database.reset()` between tests (emails are unique).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ApiKeyScope, Role } from '@agentflow/contracts';
import { asSystem } from '@agentflow/db';
import { apiKeys, organizations, orgMemberships, users } from '@agentflow/db/schema';
import {
  type AccessTokenClaims,
  hashPassword,
  type IssuedSession,
  issueSession,
  type SignOptions,
  sha256Hex,
} from '@agentflow/services';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import '../auth/types';
import { REFRESH_COOKIE } from '../auth/cookies';

/** The password every helper-made user has. */
export const TEST_PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;

export interface TestUser {
  user: { id: string; email: string; name: string };
  org: { id: string; name: string; slug: string };
  role: Role;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** `Cookie` header value carrying the refresh token. */
  cookie: string;
  /** `{ authorization: 'Bearer ...' }`. */
  headers: { authorization: string };
  sessionId: string;
}

export interface UserOptions {
  email?: string;
  name?: string;
}

/** A new user who owns a new org (or has `role` there: the org then gets a separate owner too). */
export async function createUserWithOrg(
  app: FastifyInstance,
  options: UserOptions & { role?: Role; orgName?: string } = {},
): Promise<TestUser> {
  const role = options.role ?? 'owner';
  const suffix = randomBytes(4).toString('hex');
  const orgName = options.orgName ?? `Test Org ${suffix}`;
  const orgId = await asSystem(app.authDeps.db, 'test fixture: create an org', async (tx) => {
    const [org] = await tx
      .insert(organizations)
      .values({ name: orgName, slug: `test-org-${suffix}` })
      .returning({ id: organizations.id });
    return org!.id;
  });
  // Orgs always have an owner; give a non-owner fixture one so last-owner rules behave realistically.
  if (role !== 'owner') await addMember(app, orgId, 'owner');
  return addMember(app, orgId, role, options);
}

/** A new user with `role` in an existing org, signed in to it. */
export async function addMember(
  app: FastifyInstance,
  orgId: string,
  role: Role,
  options: UserOptions = {},
): Promise<TestUser> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const email = (options.email ?? `user-${randomUUID()}@example.test`).toLowerCase();
  const name = options.name ?? `Test ${role}`;
  const hash = await passwordHash;
  const userId = await asSystem(app.authDeps.db, 'test fixture: create a member', async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email, name, passwordHash: hash })
      .returning({ id: users.id });
    await tx.insert(orgMemberships).values({ userId: user!.id, orgId, role });
    return user!.id;
  });
  return signIn(app, userId, orgId);
}

/** A fresh session (tokens + cookie) for a user already in `orgId`. */
export async function signIn(app: FastifyInstance, userId: string, orgId: string): Promise<TestUser> {
  return fromSession(await issueSession(app.authDeps, { userId, orgId }, { ip: '127.0.0.1' }));
}

function fromSession(session: IssuedSession): TestUser {
  return {
    user: { id: session.user.id, email: session.user.email, name: session.user.name ?? '' },
    org: { id: session.org.id, name: session.org.name, slug: session.org.slug },
    role: session.role,
    password: TEST_PASSWORD,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    cookie: `${REFRESH_COOKIE}=${session.refreshToken}`,
    headers: authHeader(session.accessToken),
    sessionId: session.sessionId,
  };
}

export function authHeader(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** Signs arbitrary claims with the app's key, e.g. an expired token: `{ now: new Date(0) }`. */
export function mintAccessToken(
  app: FastifyInstance,
  claims: AccessTokenClaims,
  options?: SignOptions,
): Promise<string> {
  return app.authDeps.signer.sign(claims, options);
}

export interface TestApiKey {
  id: string;
  key: string;
  headers: { 'x-api-key': string };
}

/** An API key row inserted directly (same storage as the API keys service: SHA-256 of the key). */
export async function createApiKey(
  app: FastifyInstance,
  orgId: string,
  scopes: ApiKeyScope[],
  options: { expiresAt?: Date; isActive?: boolean } = {},
): Promise<TestApiKey> {
  const key = `af_test_${randomBytes(24).toString('base64url')}`;
  const id = await asSystem(app.authDeps.db, 'test fixture: create an api key', async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        orgId,
        name: 'test key',
        keyHash: sha256Hex(key),
        keyPrefix: key.slice(0, 12),
        scopes,
        expiresAt: options.expiresAt ?? null,
        isActive: options.isActive ?? true,
      })
      .returning({ id: apiKeys.id });
    return row!.id;
  });
  return { id, key, headers: { 'x-api-key': key } };
}

/** The refresh token a response set, as a `Cookie` header value (undefined if none or cleared). */
export function refreshCookieOf(res: LightMyRequestResponse): string | undefined {
  const cookie = res.cookies.find((c) => c.name === REFRESH_COOKIE);
  return cookie?.value ? `${REFRESH_COOKIE}=${cookie.value}` : undefined;
}
