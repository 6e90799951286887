import { createHash, randomBytes } from 'node:crypto';

/** Invitations live a week: long enough for a weekend, short enough that a leaked link expires. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** 32 random bytes, base64url: 256 bits, safe in a URL without escaping. */
export function newInvitationToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * SHA-256 hex. A fast hash is enough: the token is 256 random bits, so there is nothing to brute-force,
 * and a database leak alone must not yield usable links.
 */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function invitationLink(appUrl: string, token: string): string {
  return `${appUrl.replace(/\/+$/, '')}/invite/accept?token=${encodeURIComponent(token)}`;
}
