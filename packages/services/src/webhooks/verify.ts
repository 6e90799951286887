import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, webhookHeaders, webhookSecretPrefix, webhookToleranceSeconds } from '@agentflow/contracts';

/**
 * Inbound webhook authentication, pure (no database): Standard Webhooks signatures
 * (https://www.standardwebhooks.com) and the simpler shared-token mode.
 *
 * Written on node:crypto rather than the `standardwebhooks` package (which works on Node 20 ESM and is
 * what the tests sign with, so interoperability is proven): the package turns a Buffer body into a
 * UTF-8 string before signing, so a body that is not valid UTF-8 would not verify against a sender
 * that signs the raw bytes, it reads `parseInt("12abc")` as a timestamp, and its single error type
 * leaves telling "stale" from "forged" to message parsing. Here every failure has its own code.
 */

export type HeaderBag = Record<string, string | string[] | undefined>;

/** Largest webhook-id we store (webhook_deliveries.delivery_id is varchar(255)). */
export const maxDeliveryIdLength = 255;

/** A new secret: `whsec_` + base64 of 24 random bytes (the length Svix, the reference sender, uses). */
export function generateWebhookSecret(): string {
  return `${webhookSecretPrefix}${randomBytes(24).toString('base64')}`;
}

/** The public path segment: 24 random bytes, base64url, so a hook's URL cannot be guessed. */
export function generateHookId(): string {
  return `wh_${randomBytes(24).toString('base64url')}`;
}

/** What the API shows instead of the secret: the prefix and the last 4 characters. */
export function webhookSecretHint(secret: string): string {
  return `${webhookSecretPrefix}…${secret.slice(-4)}`;
}

/** One header's value; a repeated header arrives as an array (or comma-joined) and counts as given. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(', ') : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(webhookSecretPrefix) ? secret.slice(webhookSecretPrefix.length) : secret;
  return Buffer.from(encoded, 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` under `secret` (what a sender puts in the header). */
export function signWebhook(secret: string, id: string, timestamp: number, body: Buffer | string): string {
  const mac = createHmac('sha256', secretKey(secret))
    .update(`${id}.${timestamp}.`)
    .update(typeof body === 'string' ? Buffer.from(body) : body)
    .digest('base64');
  return `v1,${mac}`;
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  // The expected signature's length is public (always 44 base64 characters), so the early return
  // leaks nothing; timingSafeEqual needs equal lengths.
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface SignedDelivery {
  /** webhook-id: the delivery's id, stable across the sender's retries (dedupe key). */
  id: string;
  /** webhook-timestamp, seconds since the epoch. */
  timestamp: number;
  /** Index into `secrets` of the one that verified (0 = current, 1 = previous). */
  secretIndex: number;
}

/**
 * Verifies a Standard Webhooks delivery against any of `secrets` (current first, then a previous one
 * still in its rotation overlap). Throws the AppError the caller should answer with:
 * WEBHOOK_HEADERS_MISSING (400), VALIDATION_ERROR on an oversized webhook-id (422),
 * WEBHOOK_TIMESTAMP_INVALID (401: not an integer, or more than 5 minutes from `nowSeconds` either way),
 * WEBHOOK_SIGNATURE_INVALID (401).
 */
export function verifySignedWebhook(input: {
  headers: HeaderBag;
  body: Buffer;
  secrets: readonly string[];
  nowSeconds?: number;
  toleranceSeconds?: number;
}): SignedDelivery {
  const id = headerValue(input.headers, webhookHeaders.id);
  const stamp = headerValue(input.headers, webhookHeaders.timestamp);
  const signature = headerValue(input.headers, webhookHeaders.signature);
  const missing = [
    ...(id === undefined ? [webhookHeaders.id] : []),
    ...(stamp === undefined ? [webhookHeaders.timestamp] : []),
    ...(signature === undefined ? [webhookHeaders.signature] : []),
  ];
  if (id === undefined || stamp === undefined || signature === undefined) {
    throw new AppError('WEBHOOK_HEADERS_MISSING', `Signed webhooks need the headers ${missing.join(', ')}.`, {
      missing,
    });
  }
  assertDeliveryId(id);

  const tolerance = input.toleranceSeconds ?? webhookToleranceSeconds;
  if (!/^\d{1,15}$/.test(stamp)) {
    throw new AppError('WEBHOOK_TIMESTAMP_INVALID', 'webhook-timestamp must be Unix time in whole seconds.', {
      reason: 'malformed',
    });
  }
  const timestamp = Number(stamp);
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (now - timestamp > tolerance || timestamp - now > tolerance) {
    const reason = timestamp < now ? 'too_old' : 'too_new';
    throw new AppError(
      'WEBHOOK_TIMESTAMP_INVALID',
      `webhook-timestamp is more than ${tolerance} s ${reason === 'too_old' ? 'in the past' : 'in the future'}.`,
      { reason, tolerance_seconds: tolerance },
    );
  }

  // Space-delimited list of `<version>,<signature>`; only v1 (HMAC-SHA256) is ours, others are skipped.
  const candidates = signature
    .split(/\s+/)
    .map((part) => part.replace(/,$/, ''))
    .filter((part) => part.startsWith('v1,'))
    .map((part) => part.slice(3));
  for (const [secretIndex, secret] of input.secrets.entries()) {
    const expected = signWebhook(secret, id, timestamp, input.body).slice(3);
    // Every candidate is compared (no early exit on the first mismatch), each in constant time.
    let matched = false;
    for (const candidate of candidates) matched = sameString(candidate, expected) || matched;
    if (matched) return { id, timestamp, secretIndex };
  }
  throw new AppError('WEBHOOK_SIGNATURE_INVALID', 'No webhook-signature matches the body and the secret.', {
    reason: candidates.length === 0 ? 'no_v1_signature' : 'mismatch',
  });
}

/** Token mode: the secret itself in X-AgentFlow-Webhook-Token, compared in constant time. */
export function verifyWebhookToken(input: { headers: HeaderBag; secrets: readonly string[] }): {
  secretIndex: number;
} {
  const token = headerValue(input.headers, webhookHeaders.token);
  if (token === undefined) {
    throw new AppError('WEBHOOK_HEADERS_MISSING', `Token webhooks need the ${webhookHeaders.token} header.`, {
      missing: [webhookHeaders.token],
    });
  }
  // Hashing first gives equal lengths, so timingSafeEqual never sees the secret's length either.
  const given = createHash('sha256').update(token).digest();
  let found = -1;
  for (const [index, secret] of input.secrets.entries()) {
    const expected = createHash('sha256').update(secret).digest();
    if (timingSafeEqual(given, expected) && found === -1) found = index;
  }
  if (found === -1) throw new AppError('WEBHOOK_TOKEN_INVALID', 'The webhook token is not valid.');
  return { secretIndex: found };
}

/** A delivery id we can store and key on; a longer one is a 422 naming the header. */
export function assertDeliveryId(id: string): void {
  if (id.length > maxDeliveryIdLength) {
    throw new AppError('VALIDATION_ERROR', 'Request validation failed.', {
      fields: [
        {
          path: `headers.${webhookHeaders.id}`,
          message: `Too long: at most ${maxDeliveryIdLength} characters`,
          code: 'too_big',
        },
      ],
    });
  }
}
