import type { AuthSession } from '@agentflow/contracts';
import { create } from 'zustand';

/**
 * The signed-in session, in memory only (never localStorage): the access token dies with the tab and
 * comes back from the httpOnly refresh cookie on the next load.
 */
export type AuthStatus = 'unknown' | 'authenticated' | 'anonymous';

interface AuthState {
  status: AuthStatus;
  accessToken: string | null;
  /** Epoch ms when the access token expires. */
  expiresAt: number | null;
  session: Omit<AuthSession, 'access_token' | 'token_type' | 'expires_in'> | null;
  setSession(session: AuthSession): void;
  clear(): void;
}

export const useAuthStore = create<AuthState>()((set) => ({
  status: 'unknown',
  accessToken: null,
  expiresAt: null,
  session: null,
  setSession: ({ access_token, expires_in, user, organization, role }) =>
    set({
      status: 'authenticated',
      accessToken: access_token,
      expiresAt: Date.now() + expires_in * 1000,
      session: { user, organization, role },
    }),
  clear: () => set({ status: 'anonymous', accessToken: null, expiresAt: null, session: null }),
}));
