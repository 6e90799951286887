import { type AuthSession, authSessionSchema } from '@agentflow/contracts';
import { AgentFlowClient, AgentFlowError } from '@agentflow/sdk';
import { z } from 'zod';
import { useAuthStore } from './auth-store';

/** Same-origin: Next rewrites /api/* to the API, so the refresh cookie stays first-party. */
export const client = new AgentFlowClient({
  baseUrl: '',
  getAccessToken: () => useAuthStore.getState().accessToken ?? undefined,
});

/** For the cookie-only auth calls: never sends a (possibly stale) access token. */
const cookieClient = new AgentFlowClient({ baseUrl: '' });

/** 204 answers (logout, archive) have no body. */
export const noContent = z.unknown();

const REFRESH_LOCK = 'agentflow-refresh';
const REFRESH_MARGIN_MS = 60_000;

let inflight: Promise<AuthSession | null> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

/** Accepts a fresh session (signup, login, refresh, switch-org) and plans the next silent refresh. */
export function acceptSession(session: AuthSession): void {
  useAuthStore.getState().setSession(session);
  clearTimeout(timer);
  const delay = Math.max(session.expires_in * 1000 - REFRESH_MARGIN_MS, 5_000);
  timer = setTimeout(() => {
    void refreshSession();
  }, delay);
}

export function endSession(): void {
  clearTimeout(timer);
  useAuthStore.getState().clear();
}

async function doRefresh(): Promise<AuthSession | null> {
  try {
    const session = await cookieClient.request('/api/v1/auth/refresh', authSessionSchema, { method: 'POST' });
    acceptSession(session);
    return session;
  } catch (err) {
    // The cookie is missing, expired or revoked (the API clears it): the session is over.
    if (err instanceof AgentFlowError && err.status === 401) endSession();
    else if (useAuthStore.getState().status === 'unknown') endSession();
    return null;
  }
}

/**
 * Rotates the refresh cookie for a new access token. Presenting an already-rotated refresh token revokes
 * the whole session, so refreshes never overlap: one in flight per tab (callers share its promise) and,
 * where the browser has Web Locks, one at a time across tabs (the next tab then sends the new cookie).
 */
export function refreshSession(): Promise<AuthSession | null> {
  if (!inflight) {
    const run = () => doRefresh();
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    inflight = (locks ? locks.request(REFRESH_LOCK, run) : run()).finally(() => {
      inflight = null;
    });
  }
  return inflight;
}

/** The current session, refreshing from the cookie when the tab has none yet (first load). */
export async function ensureSession(): Promise<boolean> {
  const { status, expiresAt } = useAuthStore.getState();
  if (status === 'authenticated' && expiresAt && expiresAt - Date.now() > 5_000) return true;
  return (await refreshSession()) !== null;
}

let signingOut = false;

let redirecting = false;

export function redirectToLogin(): void {
  if (typeof window === 'undefined' || signingOut) return;
  // Several failed calls (and the shell's status effect) may ask at once: one navigation, or a later
  // one would abort the first (and lose its `next`).
  if (redirecting) return;
  redirecting = true;
  const here = `${window.location.pathname}${window.location.search}`;
  const next = here.startsWith('/login') ? '' : `?next=${encodeURIComponent(here)}`;
  window.location.assign(`/login${next}`);
}

interface CallOptions {
  method?: string;
  body?: unknown;
}

/**
 * Runs an authenticated call (any method of `client`): on 401 AUTH_TOKEN_EXPIRED it refreshes once and
 * runs it again; when the session cannot be renewed it sends the user to /login.
 */
export async function withSession<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof AgentFlowError) || err.status !== 401) throw err;
    if (err.code === 'AUTH_TOKEN_EXPIRED' || err.code === 'AUTH_REQUIRED') {
      if (await refreshSession()) return call();
    }
    endSession();
    redirectToLogin();
    throw err;
  }
}

/** An authenticated request to `/api/v1${path}` (see withSession). */
export function api<T extends z.ZodType>(
  path: string,
  schema: T,
  init: CallOptions = {},
): Promise<z.infer<T>> {
  return withSession(() => client.request(`/api/v1${path}`, schema, init));
}

/**
 * Ends the session on the API and here, then leaves for `to` (default /login) with a full load, so
 * nothing of the signed-in user stays in memory.
 */
export async function logout(to = '/login'): Promise<void> {
  signingOut = true;
  try {
    await client.request('/api/v1/auth/logout', noContent, { method: 'POST' });
  } catch {
    // Signed out locally whatever the API says; the cookie expires on its own.
  }
  endSession();
  window.location.replace(to);
}
