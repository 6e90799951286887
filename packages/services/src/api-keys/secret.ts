import { createHash, randomInt } from 'node:crypto';

/** Recognisable by secret scanners and humans alike; `live` leaves room for test-mode keys later. */
export const API_KEY_PREFIX = 'af_live_';
const BODY_LENGTH = 40; // 40 base62 chars = ~238 bits
const DISPLAY_BODY_CHARS = 6;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `af_live_` + 40 base62 characters from the CSPRNG (randomInt is uniform, no modulo bias). */
export function newApiKeySecret(): string {
  let body = '';
  for (let i = 0; i < BODY_LENGTH; i++) body += ALPHABET[randomInt(ALPHABET.length)];
  return API_KEY_PREFIX + body;
}

/** SHA-256 hex: keys are high-entropy, so a fast hash is safe and keeps per-request lookup cheap. */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** What listings show: `af_live_Ab12Cd`, enough to tell keys apart, useless to an attacker. */
export function apiKeyDisplayPrefix(secret: string): string {
  return secret.slice(0, API_KEY_PREFIX.length + DISPLAY_BODY_CHARS);
}
