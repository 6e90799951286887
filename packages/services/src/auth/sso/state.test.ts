import { randomUUID } from 'node:crypto';
import { isAppError } from '@agentflow/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSsoStateSigner } from './state';

const signer = createSsoStateSigner('s'.repeat(32));

async function reasonOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return isAppError(error) && error.code === 'SSO_STATE_INVALID' ? error.details.reason : error;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SSO state', () => {
  it('round-trips the org for the browser holding the cookie', async () => {
    const orgId = randomUUID();
    const { state, cookie } = await signer.create(orgId);
    expect(await signer.verify(state, cookie)).toEqual({ orgId });
  });

  it('expires after 10 minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { state, cookie } = await signer.create(randomUUID());
    vi.setSystemTime(Date.now() + 9 * 60_000);
    expect(await reasonOf(signer.verify(state, cookie))).toBe('ok');
    vi.setSystemTime(Date.now() + 2 * 60_000);
    expect(await reasonOf(signer.verify(state, cookie))).toBe('bad_state');
  });

  it('is bound to its own key and to one browser', async () => {
    const a = await signer.create(randomUUID());
    const b = await signer.create(randomUUID());
    expect(await reasonOf(signer.verify(a.state, b.cookie))).toBe('browser_mismatch');
    const other = createSsoStateSigner('o'.repeat(32));
    const foreign = await other.create(randomUUID());
    expect(await reasonOf(signer.verify(foreign.state, a.cookie))).toBe('bad_state');
    expect(await reasonOf(signer.verify(a.state, foreign.cookie))).toBe('bad_cookie');
    expect(await reasonOf(signer.verify(undefined, a.cookie))).toBe('missing_state');
    expect(await reasonOf(signer.verify(a.state, undefined))).toBe('missing_cookie');
    expect(await reasonOf(signer.verify('x'.repeat(5000), a.cookie))).toBe('malformed');
  });
});
