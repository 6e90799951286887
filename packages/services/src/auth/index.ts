export {
  getMe,
  type LoginInput,
  login,
  type Me,
  normalizeEmail,
  type SignupInput,
  signup,
  slugify,
} from './accounts';
export { authenticateAccessToken, authenticateApiKey } from './authenticate';
export type { AuthDeps } from './deps';
export {
  type AttemptCount,
  type AttemptStore,
  FailedLoginLimiter,
  type LimiterOptions,
  MemoryAttemptStore,
} from './login-limiter';
export { hashPassword, verifyPassword } from './passwords';
export { endSession, type IssuedSession, issueSession, refreshSession, switchOrg } from './sessions';
export type { SessionOrg, SessionSubjects, SessionUser } from './subjects';
export {
  ACCESS_TOKEN_TTL_SECONDS,
  type AccessTokenClaims,
  type AccessTokenSigner,
  createAccessTokenSigner,
  generateOpaqueToken,
  JWT_SECRET_MIN_LENGTH,
  REFRESH_TOKEN_TTL_MS,
  type SignOptions,
  sha256Hex,
} from './tokens';
export type { ApiKeyAuth, RequestAuth, RequestMeta, UserAuth } from './types';
