import type { Db } from '@agentflow/db';
import type { FailedLoginLimiter } from './login-limiter';
import type { AccessTokenSigner } from './tokens';

/** What the account services need; the API builds one at startup (apps/api/src/auth/plugin.ts). */
export interface AuthDeps {
  db: Db;
  signer: AccessTokenSigner;
  limiter: FailedLoginLimiter;
}
