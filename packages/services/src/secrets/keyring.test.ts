import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { MasterKeyConfigError } from './errors';
import { createKeyring, DEV_MASTER_KEY_ID, parseMasterKeys, validateMasterKeysEnv } from './keyring';

const b64 = (n: number) => randomBytes(n).toString('base64');

function issuesOf(value: string): string[] {
  try {
    parseMasterKeys(value);
  } catch (error) {
    if (error instanceof MasterKeyConfigError) return error.issues.map((i) => `${i.variable}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('MASTER_KEYS parsing', () => {
  it('reads id:base64 entries, first is current; base64url and spaces accepted', () => {
    const url = randomBytes(32).toString('base64url');
    const keys = parseMasterKeys(` k2:${b64(32)} , k1:${url}`);
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(keys[0]?.key.symmetricKeySize).toBe(32);
    expect(createKeyring({ MASTER_KEYS: `a:${b64(32)},b:${b64(32)}` }).current.id).toBe('a');
  });

  it('names each bad entry by position, with the reason', () => {
    const short = b64(16);
    const issues = issuesOf(
      `ok:${b64(32)},nocolon,bad id:${b64(32)},k4:not*base64,k5:${short},k6:${Buffer.alloc(32).toString('base64')},ok:${b64(32)}`,
    );
    expect(issues).toEqual([
      'MASTER_KEYS: entry 2: must look like <id>:<base64 of 32 random bytes>',
      'MASTER_KEYS: entry 3: id must be 1-64 characters of A-Z a-z 0-9 _ -',
      'MASTER_KEYS: entry 4: key is not base64',
      'MASTER_KEYS: entry 5: key must decode to exactly 32 bytes, got 16',
      'MASTER_KEYS: entry 6: key is a constant byte pattern, not random',
    ]);
    expect(issues.join('\n')).not.toContain(short);
    expect(issuesOf(`a:${b64(32)},a:${b64(32)}`)).toEqual(['MASTER_KEYS: entry 2: duplicate master key id']);
    expect(issuesOf('')[0]).toContain('MASTER_KEYS');
  });

  it('never echoes a key, even when an entry is written key-first', () => {
    const key = b64(32);
    const issues = issuesOf(`${key}:k1`).join('\n');
    expect(issues).not.toContain(key);
    expect(issues).not.toContain(key.slice(0, 20));
  });
});

describe('createKeyring / validateMasterKeysEnv', () => {
  it('production requires MASTER_KEYS (empty counts as unset)', () => {
    const env = { NODE_ENV: 'production', MASTER_KEYS: '' };
    expect(validateMasterKeysEnv(env)).toEqual([
      { variable: 'MASTER_KEYS', message: 'is required in production (id:base64 of 32 random bytes)' },
    ]);
    expect(() => createKeyring(env)).toThrow(MasterKeyConfigError);
    expect(validateMasterKeysEnv({ NODE_ENV: 'production', MASTER_KEYS: `p:${b64(32)}` })).toEqual([]);
    expect(validateMasterKeysEnv({ NODE_ENV: 'production', MASTER_KEYS: `p:${b64(31)}` })).toHaveLength(1);
  });

  it('outside production falls back to the public development key, loudly and deterministically', () => {
    const warn = vi.fn();
    const a = createKeyring({ NODE_ENV: 'development' }, { warn });
    const b = createKeyring({}, { warn });
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[0]?.[0]).toContain('MASTER_KEYS is not set');
    expect(a.current.id).toBe(DEV_MASTER_KEY_ID);
    expect(a.insecureDevelopmentKey).toBe(true);
    expect(a.current.key.equals(b.current.key)).toBe(true);
    expect(validateMasterKeysEnv({ NODE_ENV: 'test' })).toEqual([]);
  });

  it('a keyring prints and serialises without key material', () => {
    const raw = randomBytes(32);
    const keyring = createKeyring({ MASTER_KEYS: `k1:${raw.toString('base64')}` });
    const shown = `${inspect(keyring, { depth: 10, showHidden: true })}\n${JSON.stringify(keyring)}`;
    for (const form of [raw.toString('base64'), raw.toString('base64url'), raw.toString('hex')]) {
      expect(shown).not.toContain(form);
    }
    expect(JSON.parse(JSON.stringify(keyring))).toEqual({
      current: 'k1',
      ids: ['k1'],
      insecureDevelopmentKey: false,
    });
  });
});
