import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aeadOpen, aeadSeal, fromB64url } from './aead';
import { DekCache } from './dek-cache';
import {
  decodeSecretValue,
  encodeSecretValue,
  envelopeKeyVersion,
  formatOrgEnvelope,
  parseEnvelope,
} from './envelope';

describe('envelope format', () => {
  const key = createSecretKey(randomBytes(32));
  const aad = Buffer.from('ctx');

  it('formats v1.<version>.<iv>.<ciphertext+tag> and parses it back', () => {
    const box = aeadSeal(key, Buffer.from('hello'), aad);
    const envelope = formatOrgEnvelope(7, box);
    expect(envelope).toMatch(/^v1\.7\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(envelopeKeyVersion(envelope)).toBe(7);
    const parsed = parseEnvelope(envelope);
    expect(parsed.kind).toBe('org');
    if (parsed.kind !== 'org') return;
    expect(aeadOpen(key, parsed.box, aad)?.toString()).toBe('hello');
    expect(aeadOpen(key, parsed.box, Buffer.from('other'))).toBeUndefined();
  });

  it('classifies bad input', () => {
    expect(parseEnvelope('plaintext').kind).toBe('malformed');
    expect(parseEnvelope('v1.0.AAAA.AAAA').kind).toBe('malformed'); // versions start at 1
    expect(parseEnvelope('v1.01.AAAA.AAAA').kind).toBe('malformed');
    expect(parseEnvelope('v1.1.AA+A.AAAA').kind).toBe('malformed');
    expect(parseEnvelope('v2.1.AAAA.AAAA').kind).toBe('unsupported');
    expect(parseEnvelope('v9.x').kind).toBe('unsupported');
    expect(parseEnvelope('v1m.k1.AAAA.AAAA').kind).toBe('global');
  });

  it('base64url decoding is strict and canonical', () => {
    expect(fromB64url('AQID')).toEqual(Buffer.of(1, 2, 3));
    expect(fromB64url('AQID=')).toBeUndefined();
    expect(fromB64url('AQ D')).toBeUndefined();
    expect(fromB64url('AR')).toBeUndefined(); // non-zero stray bits: not the canonical text of any bytes
  });

  it('records whether a string or an object was sealed', () => {
    expect(decodeSecretValue(encodeSecretValue('x'))).toBe('x');
    expect(decodeSecretValue(encodeSecretValue({ token: 't', n: 1 }))).toEqual({ token: 't', n: 1 });
    expect(() => encodeSecretValue([] as unknown as string)).toThrow(TypeError);
  });
});

describe('DekCache', () => {
  const key = createSecretKey(randomBytes(32));

  it('expires entries after the TTL and evicts the least recently used', () => {
    let now = 0;
    const cache = new DekCache({ ttlMs: 100, maxEntries: 2, now: () => now });
    cache.set('a', 1, key, 'wa');
    cache.set('b', 1, key, 'wb');
    expect(cache.get('a', 1)).toBe(key); // a is now the most recent
    cache.set('c', 1, key, 'wc');
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('a', 1)).toBe(key);
    now = 100;
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('misses when the wrapped text differs, and can be disabled', () => {
    const cache = new DekCache();
    cache.set('a', 1, key, 'w1');
    expect(cache.get('a', 1, 'w1')).toBe(key);
    expect(cache.get('a', 1, 'w2')).toBeUndefined();
    expect(cache.get('a', 1)).toBeUndefined(); // the mismatch evicted it
    const off = new DekCache({ ttlMs: 0 });
    off.set('a', 1, key, 'w1');
    expect(off.get('a', 1)).toBeUndefined();
  });
});
