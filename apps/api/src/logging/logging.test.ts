import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../app';
import { fixtureRoutes } from '../test-support/fixture-routes';
import type { LogCapture } from '../test-support/log-capture';
import { createTestApp, sharedTestDatabase } from '../test-support/test-app';
import { genReqId } from './request-id';
import { sanitizeUrl } from './sanitize-url';

const db = sharedTestDatabase();
let app: App;
let logs: LogCapture;

beforeAll(async () => {
  await db.setup();
  ({ app, logs } = await createTestApp({ database: db.get(), plugins: [fixtureRoutes] }));
});

afterAll(async () => {
  await app?.close();
  await db.teardown();
});

beforeEach(() => logs.clear());

describe('request id', () => {
  it('generates req_<random> and echoes it in X-Request-ID', async () => {
    const res = await app.inject({ url: '/healthz' });
    expect(res.headers['x-request-id']).toMatch(/^req_[A-Za-z0-9_-]{16}$/);
  });

  it('keeps a well-formed incoming X-Request-ID', async () => {
    const res = await app.inject({ url: '/api/v1/nope', headers: { 'x-request-id': 'trace-abc.123' } });
    expect(res.headers['x-request-id']).toBe('trace-abc.123');
    expect(res.json().error.request_id).toBe('trace-abc.123');
  });

  it('replaces a malformed incoming id (log injection, oversize)', () => {
    for (const bad of ['a b', 'x"}{"level":60', 'ü', 'a'.repeat(200), '']) {
      const id = genReqId({ headers: { 'x-request-id': bad } } as never);
      expect(id).toMatch(/^req_/);
    }
  });
});

describe('request logs', () => {
  it('every line of a request carries its reqId', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/test/log-secrets',
      payload: { name: 'x' },
    });
    const reqId = res.headers['x-request-id'] as string;
    const lines = logs.lines();
    expect(lines.length).toBeGreaterThanOrEqual(3); // incoming, handler line, completed
    for (const line of lines) expect(line.reqId).toBe(reqId);
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['incoming request', 'request completed']),
    );
  });

  it('error lines carry the reqId too', async () => {
    const res = await app.inject({ url: '/api/v1/test/boom' });
    const reqId = res.headers['x-request-id'] as string;
    const lines = logs.lines();
    expect(lines.some((l) => l.level === 50)).toBe(true);
    for (const line of lines) expect(line.reqId).toBe(reqId);
  });

  it('redacts credentials in headers and bodies', async () => {
    await app.inject({
      method: 'POST',
      url: '/api/v1/test/log-secrets?token=qs-secret-1&page=2',
      headers: {
        authorization: 'Bearer secret123',
        'x-api-key': 'af_xxx',
        cookie: 'session=cookie-secret-9',
      },
      payload: {
        email: 'a@example.com',
        password: 'hunter2-pw',
        nested: { refresh_token: 'rt-secret-7', api_key: 'ak-secret-8', client_secret: 'cs-secret-6' },
      },
    });
    const text = logs.text;
    for (const secret of [
      'secret123',
      'af_xxx',
      'cookie-secret-9',
      'hunter2-pw',
      'rt-secret-7',
      'ak-secret-8',
      'cs-secret-6',
      'qs-secret-1',
    ]) {
      expect(text).not.toContain(secret);
    }
    // Redaction, not omission: the fields are visible as redacted, the harmless ones intact.
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('a@example.com');
    expect(text).toContain('page=2');
  });

  it('does not log request headers by default', async () => {
    await app.inject({ url: '/healthz', headers: { authorization: 'Bearer secret123' } });
    await app.inject({ url: '/api/v1/nope', headers: { 'x-api-key': 'af_xxx' } });
    expect(logs.text).not.toContain('secret123');
    expect(logs.text).not.toContain('af_xxx');
  });
});

describe('sanitizeUrl', () => {
  it('redacts credential-like query values only', () => {
    expect(sanitizeUrl('/a?token=t&limit=5&API_KEY=k&x')).toBe(
      '/a?token=[REDACTED]&limit=5&API_KEY=[REDACTED]&x',
    );
    expect(sanitizeUrl('/a/b')).toBe('/a/b');
    expect(sanitizeUrl('/a?%ZZ=1&access_token=z')).toBe('/a?%ZZ=1&access_token=[REDACTED]');
  });
});
