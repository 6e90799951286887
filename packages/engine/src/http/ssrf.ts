import { lookup as dnsLookup } from 'node:dns/promises';
import type { BlockList } from 'node:net';
import { isIP } from 'node:net';
import { EngineError } from '../errors';
import { blockedReason, cidrList } from './ip';

export type LookupFn = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export interface SsrfPolicy {
  /**
   * Hostnames a self-hoster trusts even when they resolve to internal addresses: exact names or
   * `*.corp.example` (any subdomain). The connection still goes to the address checked here.
   */
  allowHosts?: readonly string[];
  /** Internal address ranges a self-hoster trusts ("10.20.0.0/16", "127.0.0.1"). */
  allowCidrs?: readonly string[];
  /** DNS resolution; injectable so tests can make a name resolve to a private address. */
  lookup?: LookupFn;
}

/** Refused by policy; never retried. */
export class SsrfError extends EngineError {
  constructor(message: string) {
    super('SSRF_BLOCKED', message);
    this.name = 'SsrfError';
  }
}

export interface SafeTarget {
  url: URL;
  /** The checked address to connect to (DNS is not asked again: no rebinding window). */
  address: string;
  family: 4 | 6;
}

const defaultLookup: LookupFn = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface SsrfGuard {
  check(url: URL): Promise<SafeTarget>;
}

export function createSsrfGuard(policy: SsrfPolicy = {}): SsrfGuard {
  const allowedCidrs: BlockList | null = policy.allowCidrs?.length ? cidrList(policy.allowCidrs) : null;
  const lookup = policy.lookup ?? defaultLookup;
  const hostAllowed = (host: string) =>
    (policy.allowHosts ?? []).some((pattern) => {
      const p = pattern.toLowerCase();
      return p.startsWith('*.') ? host.endsWith(p.slice(1)) : host === p;
    });
  const addressAllowed = (address: string, family: number) =>
    allowedCidrs?.check(address, family === 4 ? 'ipv4' : 'ipv6') ?? false;

  return {
    async check(url) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new SsrfError(`Only http and https URLs are allowed, not "${url.protocol}"`);
      }
      if (url.username || url.password) throw new SsrfError('Credentials in the URL are not allowed');
      // WHATWG URL parsing already canonicalised odd IPv4 forms (2130706433, 0x7f.1) to dotted quads.
      const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      const trustedHost = hostAllowed(host);
      let answers: Array<{ address: string; family: number }>;
      if (isIP(host)) answers = [{ address: host, family: isIP(host) }];
      else {
        try {
          answers = await lookup(host);
        } catch (err) {
          throw new EngineError('HTTP_DNS_ERROR', `Cannot resolve "${host}": ${(err as Error).message}`, {
            retryable: (err as { code?: string }).code === 'EAI_AGAIN',
            cause: err,
          });
        }
      }
      if (answers.length === 0) throw new EngineError('HTTP_DNS_ERROR', `"${host}" has no address`);
      // Every answer must be acceptable: the one used next time could be another.
      for (const { address, family } of answers) {
        const reason = blockedReason(address);
        if (reason && !trustedHost && !addressAllowed(address, family)) {
          throw new SsrfError(
            `Refusing to connect to ${host === address ? address : `"${host}" (${address})`}: ${reason} address`,
          );
        }
      }
      const first = answers[0] as { address: string; family: number };
      return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
    },
  };
}
