import { describe, expect, it } from 'vitest';
import { blockedReason, embeddedIPv4 } from './ip';
import { createSsrfGuard, type LookupFn, SsrfError } from './ssrf';

const dns: Record<string, Array<{ address: string; family: number }>> = {
  'public.example': [{ address: '93.184.215.14', family: 4 }],
  'sneaky.example': [{ address: '10.1.2.3', family: 4 }],
  'mixed.example': [
    { address: '93.184.215.14', family: 4 },
    { address: '127.0.0.1', family: 4 },
  ],
  'v6.example': [{ address: 'fd12::1', family: 6 }],
  'intranet.corp': [{ address: '10.9.9.9', family: 4 }],
};
const lookup: LookupFn = async (host) => {
  const answer = dns[host];
  if (!answer) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return answer;
};

describe('address classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'unspecified, loopback or IPv4-compatible'],
    ['::', 'unspecified, loopback or IPv4-compatible'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::a00:1', 'private'],
    ['fd00::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2002:7f00:1::', '6to4'],
  ])('%s is refused (%s)', (ip, reason) => {
    expect(blockedReason(ip)).toBe(reason);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) => {
    expect(blockedReason(ip)).toBeNull();
  });

  it('finds IPv4 inside mapped and NAT64 addresses only', () => {
    expect(embeddedIPv4('::ffff:192.168.0.1')).toBe('192.168.0.1');
    expect(embeddedIPv4('64:ff9b::808:808')).toBe('8.8.8.8');
    expect(embeddedIPv4('2001:db8::1')).toBeNull();
  });
});

describe('SSRF guard', () => {
  const guard = createSsrfGuard({ lookup });
  const refused = async (url: string) => {
    const err = await guard.check(new URL(url)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SsrfError);
    return (err as SsrfError).message;
  };

  it.each([
    'http://127.0.0.1/',
    'http://10.0.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]:8080/',
    'http://[::ffff:127.0.0.1]/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://100.64.1.1/',
    'http://[fd00::1]/',
    'http://sneaky.example/',
    'http://mixed.example/',
    'http://v6.example/',
  ])('refuses %s', async (url) => {
    expect(await refused(url)).toMatch(/Refusing to connect/);
  });

  it('names the host and the address it resolved to', async () => {
    expect(await refused('https://sneaky.example/x')).toBe(
      'Refusing to connect to "sneaky.example" (10.1.2.3): private address',
    );
  });

  it('refuses other schemes and credentials in the URL', async () => {
    expect(await refused('file:///etc/passwd')).toContain('Only http and https');
    expect(await refused('ftp://public.example/')).toContain('Only http and https');
    expect(await refused('http://user:pw@public.example/')).toContain('Credentials');
  });

  it('allows public hosts and returns the checked address to connect to', async () => {
    await expect(guard.check(new URL('https://public.example/a'))).resolves.toMatchObject({
      address: '93.184.215.14',
      family: 4,
    });
  });

  it('lets self-hosters allow-list hosts and ranges', async () => {
    const open = createSsrfGuard({
      lookup,
      allowHosts: ['*.corp'],
      allowCidrs: ['127.0.0.0/8', 'fd12::/16'],
    });
    await expect(open.check(new URL('http://intranet.corp/'))).resolves.toMatchObject({
      address: '10.9.9.9',
    });
    await expect(open.check(new URL('http://127.0.0.1:3000/'))).resolves.toMatchObject({
      address: '127.0.0.1',
    });
    await expect(open.check(new URL('http://v6.example/'))).resolves.toMatchObject({
      address: 'fd12::1',
      family: 6,
    });
    await expect(open.check(new URL('http://10.0.0.1/'))).rejects.toBeInstanceOf(SsrfError);
  });

  it('reports DNS failures as such', async () => {
    await expect(guard.check(new URL('http://nowhere.example/'))).rejects.toMatchObject({
      code: 'HTTP_DNS_ERROR',
    });
  });
});
