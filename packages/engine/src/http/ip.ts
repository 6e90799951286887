import { BlockList, isIP } from 'node:net';

/**
 * Address classification for SSRF protection: everything that is not a public unicast address is
 * refused (loopback, RFC 1918, link-local incl. cloud metadata 169.254.169.254, CGNAT, unique-local,
 * multicast, documentation and reserved ranges). IPv6 forms that embed an IPv4 address
 * (::ffff:a.b.c.d, NAT64 64:ff9b::/96) are judged by the embedded address.
 */
const v4Ranges: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
const v6Ranges: Array<[string, number, string]> = [
  ['::', 96, 'unspecified, loopback or IPv4-compatible'],
  ['100::', 64, 'discard'],
  ['2001::', 32, 'Teredo'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

const lists = new Map<string, BlockList>();
for (const [net, prefix, reason] of [...v4Ranges, ...v6Ranges]) {
  const list = lists.get(reason) ?? new BlockList();
  lists.set(reason, list);
  list.addSubnet(net, prefix, isIP(net) === 4 ? 'ipv4' : 'ipv6');
}

/** Why `ip` must not be reached (e.g. "loopback"), or null for a public address. */
export function blockedReason(ip: string): string | null {
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  const embedded = family === 6 ? embeddedIPv4(ip) : null;
  if (embedded) return blockedReason(embedded);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [reason, list] of lists) if (list.check(ip, type)) return reason;
  return null;
}

/** The IPv4 address inside ::ffff:0:0/96 (mapped) or 64:ff9b::/96 (NAT64), else null. */
export function embeddedIPv4(ip: string): string | null {
  const words = parseIPv6(ip);
  if (!words) return null;
  const mapped = words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff;
  const nat64 = words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0);
  if (!mapped && !nat64) return null;
  const hi = words[6] ?? 0;
  const lo = words[7] ?? 0;
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}

/** Eight 16-bit words, or null. Accepts `::` compression and a trailing dotted quad. */
export function parseIPv6(ip: string): number[] | null {
  if (isIP(ip) !== 6) return null;
  let text = ip.split('%')[0] ?? '';
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad?.[1]) {
    const b = quad[1].split('.').map(Number);
    text = `${text.slice(0, -quad[1].length)}${(((b[0] ?? 0) << 8) | (b[1] ?? 0)).toString(16)}:${(((b[2] ?? 0) << 8) | (b[3] ?? 0)).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const words = [...left, ...new Array<string>(fill).fill('0'), ...right].map((w) => Number.parseInt(w, 16));
  return words.length === 8 && words.every((w) => w >= 0 && w <= 0xffff) ? words : null;
}

/** An allow-list of CIDRs ("10.1.0.0/16", "fd00::/8", "127.0.0.1") a self-hoster trusts. */
export function cidrList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net = '', prefix] = cidr.split('/');
    const family = isIP(net);
    if (family === 0) throw new Error(`Invalid CIDR "${cidr}"`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    list.addSubnet(net, prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix), type);
  }
  return list;
}
