import { createHmac } from 'node:crypto';
import { AppError, webhookToleranceSeconds } from '@agentflow/contracts';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateHookId,
  generateWebhookSecret,
  type HeaderBag,
  signWebhook,
  verifySignedWebhook,
  verifyWebhookToken,
  webhookSecretHint,
} from './verify';

// The sender side is the official Standard Webhooks library, so these tests prove interoperability
// rather than agreement of our signer with our verifier.

const secret = generateWebhookSecret();
const previous = generateWebhookSecret();
const now = 1_900_000_000;

function officialHeaders(key: string, id: string, at: number, body: string): HeaderBag {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(at),
    'webhook-signature': new Webhook(key).sign(id, new Date(at * 1000), body),
  };
}

function failure(fn: () => unknown): { code: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('expected an AppError');
}

const verify = (headers: HeaderBag, body: string | Buffer, secrets = [secret], nowSeconds = now) =>
  verifySignedWebhook({ headers, body: Buffer.from(body), secrets, nowSeconds });

describe('webhook secrets and ids', () => {
  it('makes whsec_ secrets the official library accepts, unguessable hook ids and a short hint', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);
    expect(() => new Webhook(secret)).not.toThrow();
    expect(generateWebhookSecret()).not.toBe(secret);
    const hookId = generateHookId();
    expect(hookId).toMatch(/^wh_[A-Za-z0-9_-]{32}$/);
    expect(generateHookId()).not.toBe(hookId);
    expect(webhookSecretHint(secret)).toBe(`whsec_…${secret.slice(-4)}`);
    expect(webhookSecretHint(secret)).not.toContain(secret.slice(6, -4));
  });

  it('signs exactly like the official library, which verifies our signatures', () => {
    const body = '{"event":"order.created","amount":120}';
    const ours = signWebhook(secret, 'msg_1', now, body);
    expect(ours).toBe(new Webhook(secret).sign('msg_1', new Date(now * 1000), body));
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': ours };
    // The library checks against the real clock, so sign for it.
    const live = Math.floor(Date.now() / 1000);
    const liveHeaders = { ...headers, 'webhook-timestamp': String(live) };
    liveHeaders['webhook-signature'] = signWebhook(secret, 'msg_1', live, body);
    expect(new Webhook(secret).verify(body, liveHeaders)).toEqual({ event: 'order.created', amount: 120 });
    expect(verify(headers, body)).toEqual({ id: 'msg_1', timestamp: now, secretIndex: 0 });
  });
});

describe('verifySignedWebhook', () => {
  const body = '{"hello":"world"}';

  it('accepts a delivery the official library signed, with the current or the previous secret', () => {
    expect(verify(officialHeaders(secret, 'msg_a', now, body), body, [secret, previous])).toMatchObject({
      id: 'msg_a',
      secretIndex: 0,
    });
    expect(verify(officialHeaders(previous, 'msg_b', now, body), body, [secret, previous])).toMatchObject({
      secretIndex: 1,
    });
    // Without the previous secret in the list (overlap over), the same delivery is refused.
    expect(failure(() => verify(officialHeaders(previous, 'msg_b', now, body), body, [secret]))).toEqual({
      code: 'WEBHOOK_SIGNATURE_INVALID',
      details: { reason: 'mismatch' },
    });
  });

  it('finds the valid signature among several (other versions, bad ones) in the header', () => {
    const good = officialHeaders(secret, 'msg_c', now, body)['webhook-signature'] as string;
    const headers = {
      ...officialHeaders(secret, 'msg_c', now, body),
      'webhook-signature': `v1a,c29tZXRoaW5nIGVsc2U= v1,AAAA ${good} v1,${'A'.repeat(43)}=`,
    };
    expect(verify(headers, body).id).toBe('msg_c');
    expect(failure(() => verify({ ...headers, 'webhook-signature': 'v1a,abc v2,def' }, body))).toEqual({
      code: 'WEBHOOK_SIGNATURE_INVALID',
      details: { reason: 'no_v1_signature' },
    });
  });

  it('refuses any change to the body, the id or the timestamp', () => {
    const headers = officialHeaders(secret, 'msg_d', now, body);
    expect(failure(() => verify(headers, '{"hello":"world!"}')).code).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(failure(() => verify(headers, `${body} `)).code).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(failure(() => verify({ ...headers, 'webhook-id': 'msg_e' }, body)).code).toBe(
      'WEBHOOK_SIGNATURE_INVALID',
    );
    expect(failure(() => verify({ ...headers, 'webhook-timestamp': String(now + 1) }, body)).code).toBe(
      'WEBHOOK_SIGNATURE_INVALID',
    );
    expect(failure(() => verify(headers, body, [generateWebhookSecret()])).code).toBe(
      'WEBHOOK_SIGNATURE_INVALID',
    );
    for (const signature of ['v1,', 'v1', ',', 'garbage', `v1,${'x'.repeat(5000)}`]) {
      expect(failure(() => verify({ ...headers, 'webhook-signature': signature }, body)).code).toBe(
        'WEBHOOK_SIGNATURE_INVALID',
      );
    }
  });

  it('signs the raw bytes: a body that is not valid UTF-8 still verifies', () => {
    const raw = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0xfe, 0x7d]); // {"a":<invalid>}
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const mac = createHmac('sha256', key)
      .update(Buffer.concat([Buffer.from(`msg_raw.${now}.`), raw]))
      .digest('base64');
    const headers = {
      'webhook-id': 'msg_raw',
      'webhook-timestamp': String(now),
      'webhook-signature': `v1,${mac}`,
    };
    expect(verify(headers, raw).id).toBe('msg_raw');
    // Decoding to text first (what the official library does with a Buffer) would lose the bytes.
    expect(failure(() => verify(headers, Buffer.from(raw.toString('utf8')))).code).toBe(
      'WEBHOOK_SIGNATURE_INVALID',
    );
  });

  it('accepts timestamps up to 5 minutes off either way, and refuses the rest with a reason', () => {
    const at = (t: number) => verify(officialHeaders(secret, 'msg_t', t, body), body);
    expect(at(now - webhookToleranceSeconds).timestamp).toBe(now - webhookToleranceSeconds);
    expect(at(now + webhookToleranceSeconds).timestamp).toBe(now + webhookToleranceSeconds);
    expect(failure(() => at(now - webhookToleranceSeconds - 1))).toEqual({
      code: 'WEBHOOK_TIMESTAMP_INVALID',
      details: { reason: 'too_old', tolerance_seconds: 300 },
    });
    expect(failure(() => at(now + webhookToleranceSeconds + 1))).toEqual({
      code: 'WEBHOOK_TIMESTAMP_INVALID',
      details: { reason: 'too_new', tolerance_seconds: 300 },
    });
    // Milliseconds instead of seconds are "too new", not silently accepted.
    expect(failure(() => at(now * 1000)).details.reason).toBe('too_new');
    const headers = officialHeaders(secret, 'msg_t', now, body);
    for (const stamp of ['12abc', '-5', '1.5', '1e9', '0x10', ' ']) {
      const result = failure(() => verify({ ...headers, 'webhook-timestamp': stamp }, body));
      expect(result.code, stamp).toBe(
        stamp === ' ' ? 'WEBHOOK_HEADERS_MISSING' : 'WEBHOOK_TIMESTAMP_INVALID',
      );
    }
    // A stale timestamp is reported as such even when the signature is also wrong.
    expect(
      failure(() =>
        verify({ ...headers, 'webhook-timestamp': String(now - 3600), 'webhook-signature': 'v1,AAAA' }, body),
      ).code,
    ).toBe('WEBHOOK_TIMESTAMP_INVALID');
  });

  it('names every missing header, and bounds the webhook-id', () => {
    const headers = officialHeaders(secret, 'msg_h', now, body);
    expect(failure(() => verify({}, body))).toEqual({
      code: 'WEBHOOK_HEADERS_MISSING',
      details: { missing: ['webhook-id', 'webhook-timestamp', 'webhook-signature'] },
    });
    const { 'webhook-signature': _, ...unsigned } = headers;
    expect(failure(() => verify(unsigned, body)).details).toEqual({ missing: ['webhook-signature'] });
    expect(failure(() => verify({ ...headers, 'webhook-id': '' }, body)).details).toEqual({
      missing: ['webhook-id'],
    });
    const long = 'm'.repeat(256);
    const tooLong = failure(() => verify(officialHeaders(secret, long, now, body), body));
    expect(tooLong.code).toBe('VALIDATION_ERROR');
    expect(tooLong.details.fields).toEqual([expect.objectContaining({ path: 'headers.webhook-id' })]);
    expect(verify(officialHeaders(secret, 'm'.repeat(255), now, body), body).id).toHaveLength(255);
  });

  it('treats a repeated header as one value (which then fails to verify rather than picking one)', () => {
    const headers = officialHeaders(secret, 'msg_r', now, body);
    expect(failure(() => verify({ ...headers, 'webhook-id': ['msg_r', 'msg_x'] }, body)).code).toBe(
      'WEBHOOK_SIGNATURE_INVALID',
    );
    const good = headers['webhook-signature'] as string;
    expect(verify({ ...headers, 'webhook-signature': ['v1,AAAA', good] }, body).id).toBe('msg_r');
  });
});

describe('verifyWebhookToken', () => {
  it('accepts the current or the previous secret, in constant time, and names what is wrong', () => {
    const header = 'x-agentflow-webhook-token';
    expect(verifyWebhookToken({ headers: { [header]: secret }, secrets: [secret, previous] })).toEqual({
      secretIndex: 0,
    });
    expect(verifyWebhookToken({ headers: { [header]: previous }, secrets: [secret, previous] })).toEqual({
      secretIndex: 1,
    });
    for (const token of [previous, `${secret}x`, secret.slice(0, -1), 'short']) {
      expect(
        failure(() => verifyWebhookToken({ headers: { [header]: token }, secrets: [secret] })).code,
      ).toBe('WEBHOOK_TOKEN_INVALID');
    }
    expect(failure(() => verifyWebhookToken({ headers: {}, secrets: [secret] }))).toEqual({
      code: 'WEBHOOK_HEADERS_MISSING',
      details: { missing: [header] },
    });
    // The signature headers are no substitute for the token.
    expect(
      failure(() =>
        verifyWebhookToken({ headers: officialHeaders(secret, 'msg_1', now, '{}'), secrets: [secret] }),
      ).code,
    ).toBe('WEBHOOK_HEADERS_MISSING');
  });
});
