import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '@agentflow/contracts';
import { errors, jwtVerify, SignJWT } from 'jose';

/** Seed 004 §2.5: access tokens live 15 minutes, refresh tokens 7 days. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

// Issuer and audience pin our access tokens: anything else signed with the same secret later (an SSO
// state, an email link) cannot be replayed as an access token.
const ISSUER = 'agentflow';
const AUDIENCE = 'agentflow-api';
const ALGORITHM = 'HS256';
export const JWT_SECRET_MIN_LENGTH = 32;

export interface AccessTokenClaims {
  userId: string;
  orgId: string;
  /** The refresh-token family (session) the token was issued for. */
  sessionId: string;
}

export interface SignOptions {
  /** Issue time; tests pass a past date to mint an expired token. */
  now?: Date;
  ttlSeconds?: number;
}

export interface AccessTokenSigner {
  sign(claims: AccessTokenClaims, options?: SignOptions): Promise<string>;
  /** Throws AppError AUTH_TOKEN_EXPIRED or AUTH_TOKEN_INVALID. */
  verify(token: string): Promise<AccessTokenClaims>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** HS256 access tokens with claims `sub` (user), `org`, `sid` (session) per ADR 0005. */
export function createAccessTokenSigner(secret: string): AccessTokenSigner {
  if (secret.length < JWT_SECRET_MIN_LENGTH) {
    throw new Error(`JWT secret must be at least ${JWT_SECRET_MIN_LENGTH} characters`);
  }
  const key = new TextEncoder().encode(secret);
  return {
    async sign(claims, options = {}) {
      const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
      return new SignJWT({ org: claims.orgId, sid: claims.sessionId })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + (options.ttlSeconds ?? ACCESS_TOKEN_TTL_SECONDS))
        .setJti(randomUUID())
        .sign(key);
    },
    async verify(token) {
      try {
        // The signature is checked before the claims, so a tampered expired token is INVALID, not EXPIRED.
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer: ISSUER,
          audience: AUDIENCE,
          requiredClaims: ['exp', 'iat'],
        });
        const { sub, org, sid } = payload;
        // Ids reach uuid casts in SQL: a signed but malformed token must be a 401, not a 500.
        if (!isUuid(sub) || !isUuid(org) || !isUuid(sid)) {
          throw new AppError('AUTH_TOKEN_INVALID', 'Access token is invalid.');
        }
        return { userId: sub, orgId: org, sessionId: sid };
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (error instanceof errors.JWTExpired) {
          throw new AppError('AUTH_TOKEN_EXPIRED', 'Access token has expired; refresh it.');
        }
        throw new AppError('AUTH_TOKEN_INVALID', 'Access token is invalid.');
      }
    },
  };
}

/** SHA-256 hex: how refresh tokens and API keys are stored (they are random, so no salt is needed). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** 256 random bits, base64url: refresh tokens. */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}
