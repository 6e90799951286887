import { describe, expect, it } from 'vitest';
import { maskSecret } from './mask';

describe('maskSecret', () => {
  it('shows a short vendor prefix and the last 4 characters of long secrets', () => {
    expect(maskSecret('sk-proj-abcdefghijklmnopqrstuvwxyz0123a1b2')).toBe('sk-…a1b2');
    expect(maskSecret('xoxb-1234567890-abcdefghijkl')).toBe('xoxb-…ijkl');
    expect(maskSecret('ghp_0123456789abcdefghijklmnop')).toBe('ghp_…mnop');
    expect(maskSecret('AbCdEfGhIjKlMnOpQrStUvWx')).toBe('…UvWx');
  });

  it('shows nothing of short secrets, and no prefix on medium ones', () => {
    expect(maskSecret('')).toBe('…');
    expect(maskSecret('hunter2')).toBe('…');
    expect(maskSecret('sk-0123456789a')).toBe('…'); // 14 chars
    expect(maskSecret('sk-0123456789abcd')).toBe('…abcd'); // 17 chars: tail only
  });

  it('never reveals more than 4 trailing code points', () => {
    const secret = `sk-${'x'.repeat(30)}🔑🔑ab`;
    const hint = maskSecret(secret);
    expect(hint).toBe('sk-…🔑🔑ab');
    expect(hint.length).toBeLessThanOrEqual(32); // fits api_key_hint / credentials_hint
  });
});
