/** Shorter than this, no character of the secret is shown at all. */
export const MASK_MIN_LENGTH_FOR_TAIL = 16;
/** The vendor prefix (`sk-`, `xoxb-`, `ghp_`) is shown only from this length on. */
export const MASK_MIN_LENGTH_FOR_PREFIX = 20;
const MASK = '…';
// A short run of letters then '-' or '_': the non-secret tag many vendors put in front of their keys.
const VENDOR_PREFIX = /^[A-Za-z]{1,4}[-_]/;

/**
 * The hint the API may return instead of a secret: e.g. `sk-…a1b2`. Never more than the last 4
 * characters (plus a short vendor prefix on long secrets), and only `…` for short secrets, where 4
 * characters would be a real share of the entropy. Counts code points, so no surrogate pair is split.
 */
export function maskSecret(secret: string): string {
  const chars = Array.from(secret.trim());
  if (chars.length < MASK_MIN_LENGTH_FOR_TAIL) return MASK;
  const prefix =
    chars.length >= MASK_MIN_LENGTH_FOR_PREFIX ? (VENDOR_PREFIX.exec(chars.join(''))?.[0] ?? '') : '';
  return `${prefix}${MASK}${chars.slice(-4).join('')}`;
}
