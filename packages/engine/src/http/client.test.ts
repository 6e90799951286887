import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSafeHttpClient } from './client';
import type { LookupFn } from './ssrf';

/**
 * Integration: a real local server stands for a public API. It listens on 127.0.0.1, so it is only
 * reachable through an allow-listed host name (`api.partner.test`, resolved by a custom lookup).
 */
let server: http.Server;
let port = 0;
const seen: Array<{ url: string; host: string; auth: string | undefined; method: string; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({
        url: req.url ?? '',
        host: req.headers.host ?? '',
        auth: req.headers.authorization,
        method: req.method ?? '',
        body,
      });
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/json') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true, q: url.searchParams.get('q') }));
      } else if (url.pathname === '/redirect') {
        res.statusCode = 302;
        res.setHeader('location', url.searchParams.get('to') ?? '/json');
        res.end();
      } else if (url.pathname === '/slow') {
        setTimeout(() => res.end('late'), 2000);
      } else if (url.pathname === '/big') {
        res.end('x'.repeat(5000));
      } else res.end(`echo ${req.method} ${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const lookup: LookupFn = async (host) => {
  if (host === 'api.partner.test' || host === 'other.partner.test')
    return [{ address: '127.0.0.1', family: 4 }];
  if (host === 'evil.test') return [{ address: '169.254.169.254', family: 4 }];
  throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
};
const client = createSafeHttpClient({
  lookup,
  allowHosts: ['api.partner.test', 'other.partner.test'],
  maxResponseBytes: 1000,
});
const base = () => `http://api.partner.test:${port}`;

describe('safe HTTP client', () => {
  it('reaches an allow-listed host (connecting to the checked address, Host header kept)', async () => {
    const res = await client.request({ method: 'GET', url: `${base()}/json?q=1` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, q: '1' });
    expect(seen.at(-1)?.host).toBe(`api.partner.test:${port}`);
  });

  it('sends bodies', async () => {
    const res = await client.request({
      method: 'POST',
      url: `${base()}/echo`,
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.body).toBe('echo POST {"a":1}');
  });

  it('refuses the same server by its IP, and names resolving to private addresses', async () => {
    await expect(
      client.request({ method: 'GET', url: `http://127.0.0.1:${port}/json` }),
    ).rejects.toMatchObject({ code: 'SSRF_BLOCKED' });
    await expect(client.request({ method: 'GET', url: `http://evil.test:${port}/` })).rejects.toMatchObject({
      code: 'SSRF_BLOCKED',
    });
  });

  it('re-checks every redirect', async () => {
    for (const to of [
      `http://127.0.0.1:${port}/json`,
      'http://169.254.169.254/latest/meta-data/',
      `http://evil.test:${port}/`,
      'http://[::1]/',
    ]) {
      const err = await client
        .request({ method: 'GET', url: `${base()}/redirect?to=${encodeURIComponent(to)}` })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'SSRF_BLOCKED' });
    }
  });

  it('follows safe redirects, dropping credentials across origins', async () => {
    const to = `http://other.partner.test:${port}/json`;
    const res = await client.request({
      method: 'GET',
      url: `${base()}/redirect?to=${encodeURIComponent(to)}`,
      headers: { authorization: 'Bearer s3cret' },
    });
    expect(res.status).toBe(200);
    expect(res.url).toBe(to);
    expect(seen.at(-1)?.auth).toBeUndefined();
    const plain = await client.request({ method: 'GET', url: `${base()}/redirect`, maxRedirects: 0 });
    expect(plain.status).toBe(302);
  });

  it('times out (retryable), honours abort and bounds the response size', async () => {
    await expect(
      client.request({ method: 'GET', url: `${base()}/slow`, timeoutMs: 100 }),
    ).rejects.toMatchObject({
      code: 'HTTP_TIMEOUT',
      retryable: true,
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('cancelled by user')), 50);
    const t0 = Date.now();
    await expect(client.request({ method: 'GET', url: `${base()}/slow`, signal: ac.signal })).rejects.toThrow(
      'cancelled by user',
    );
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(client.request({ method: 'GET', url: `${base()}/big` })).rejects.toMatchObject({
      code: 'HTTP_RESPONSE_TOO_LARGE',
    });
  });

  it('reports refused connections as retryable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(
      client.request({ method: 'GET', url: `http://api.partner.test:${closedPort}/` }),
    ).rejects.toMatchObject({
      code: 'HTTP_CONNECTION_ERROR',
      retryable: true,
    });
  });
});
