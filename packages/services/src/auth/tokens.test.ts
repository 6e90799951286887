import { randomUUID } from 'node:crypto';
import { isAppError } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import { createAccessTokenSigner, sha256Hex } from './tokens';

const claims = { userId: randomUUID(), orgId: randomUUID(), sessionId: randomUUID() };
const signer = createAccessTokenSigner('k'.repeat(32));

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return isAppError(error) ? error.code : String(error);
  }
}

describe('access tokens', () => {
  it('round-trips sub/org/sid with a 15-minute lifetime', async () => {
    const token = await signer.sign(claims);
    expect(await signer.verify(token)).toEqual(claims);
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(payload.exp - payload.iat).toBe(900);
    expect(payload).toMatchObject({ sub: claims.userId, org: claims.orgId, sid: claims.sessionId });
  });

  it('EXPIRED for a past token, INVALID for tampering, other keys and other algorithms', async () => {
    expect(
      await codeOf(signer.verify(await signer.sign(claims, { now: new Date(Date.now() - 901_000) }))),
    ).toBe('AUTH_TOKEN_EXPIRED');
    const token = await signer.sign(claims);
    const [h, p] = token.split('.');
    expect(await codeOf(signer.verify(`${h}.${p}.AAAA`))).toBe('AUTH_TOKEN_INVALID');
    const other = createAccessTokenSigner('o'.repeat(32));
    expect(await codeOf(signer.verify(await other.sign(claims)))).toBe('AUTH_TOKEN_INVALID');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    expect(await codeOf(signer.verify(none))).toBe('AUTH_TOKEN_INVALID');
  });

  it('refuses a short secret', () => {
    expect(() => createAccessTokenSigner('short')).toThrow(/32/);
  });

  it('hashes opaque tokens with sha256 hex', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
