import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from 'node:crypto';

/**
 * The one primitive everything here uses: AES-256-GCM from node:crypto with a random 96-bit IV per
 * message (the size GCM is specified for; random IVs stay far below the 2^32 messages-per-key bound
 * at our volumes) and the full 128-bit tag. Callers bind context through the AAD.
 */
export const ALGORITHM = 'aes-256-gcm';
export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface AeadBox {
  iv: Buffer;
  /** ciphertext followed by the 16-byte tag */
  body: Buffer;
}

export function aeadSeal(key: KeyObject, plaintext: Buffer, aad: Buffer): AeadBox {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, body };
}

/** The plaintext, or undefined when the tag does not verify (callers throw with their own context). */
export function aeadOpen(key: KeyObject, box: AeadBox, aad: Buffer): Buffer | undefined {
  // GCM accepts other IV sizes and (without authTagLength) truncated tags: refuse both up front.
  if (box.iv.length !== IV_BYTES || box.body.length < TAG_BYTES) return undefined;
  const decipher = createDecipheriv(ALGORITHM, key, box.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(box.body.subarray(box.body.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(box.body.subarray(0, box.body.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export const toB64url = (bytes: Buffer): string => bytes.toString('base64url');

/**
 * Strict base64url: Buffer.from() silently skips invalid characters and ignores stray trailing bits,
 * so also require that re-encoding gives the input back (one canonical text per byte string).
 */
export function fromB64url(text: string): Buffer | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}
