import { nodeCatalog } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import type { HttpRequest, HttpResponse } from '../http/client';
import { handlerContext, testServices } from '../test-utils';
import { httpRequestHandler } from './action';

function fakeHttp(response: Partial<HttpResponse>) {
  const requests: HttpRequest[] = [];
  return {
    requests,
    http: {
      async request(req: HttpRequest): Promise<HttpResponse> {
        requests.push(req);
        return { status: 200, headers: {}, body: '', url: req.url, ...response };
      },
    },
  };
}
const config = (extra: Record<string, unknown>) =>
  nodeCatalog.action.http_request.configSchema.parse({ url: 'https://api.example.com/items', ...extra });

describe('action.http_request', () => {
  it('sends query, headers and a JSON body, and parses a JSON answer', async () => {
    const { http, requests } = fakeHttp({
      headers: { 'content-type': 'application/json' },
      body: '{"id":7}',
      status: 201,
    });
    const out = await httpRequestHandler.run(
      handlerContext(
        config({ method: 'POST', query: { page: '2' }, headers: { 'X-Trace': 't1' }, body: { name: 'Ada' } }),
        {
          services: testServices({ http }),
        },
      ),
    );
    expect(out.output).toEqual({
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: { id: 7 },
      url: 'https://api.example.com/items?page=2',
    });
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: 'https://api.example.com/items?page=2',
      headers: { 'x-trace': 't1', 'content-type': 'application/json' },
      body: '{"name":"Ada"}',
      timeoutMs: 30_000,
      maxRedirects: 5,
    });
  });

  it('adds credential headers at run time only', async () => {
    const { http, requests } = fakeHttp({ body: 'ok' });
    const credentials = { httpHeaders: async (id: string) => ({ Authorization: `Bearer secret-of-${id}` }) };
    const ctx = handlerContext(config({ credential_id: 'cred1' }), {
      services: testServices({ http, credentials }),
    });
    expect((await httpRequestHandler.run(ctx)).output).toMatchObject({ body: 'ok' });
    expect(requests[0]?.headers?.authorization).toBe('Bearer secret-of-cred1');
    expect(JSON.stringify(ctx.config)).not.toContain('secret');
    await expect(
      httpRequestHandler.run(handlerContext(config({ credential_id: 'x' }))),
    ).rejects.toMatchObject({ code: 'CREDENTIALS_UNAVAILABLE' });
  });

  it('fails on error statuses: 429 and 5xx are retryable, 4xx not; Retry-After is kept', async () => {
    const run = (status: number, headers = {}) =>
      httpRequestHandler.run(
        handlerContext(config({}), {
          services: testServices({ http: fakeHttp({ status, headers, body: 'no' }).http }),
        }),
      );
    await expect(run(503)).rejects.toMatchObject({ code: 'HTTP_STATUS', retryable: true });
    await expect(run(429, { 'retry-after': '3' })).rejects.toMatchObject({
      retryable: true,
      retryAfterMs: 3000,
    });
    await expect(run(404)).rejects.toMatchObject({ retryable: false });
    const lenient = await httpRequestHandler.run(
      handlerContext(config({ fail_on_status: false }), {
        services: testServices({ http: fakeHttp({ status: 404, body: 'no' }).http }),
      }),
    );
    expect(lenient.output).toMatchObject({ status: 404, body: 'no' });
  });

  it('honours response_type', async () => {
    const run = (response_type: string, body: string) =>
      httpRequestHandler.run(
        handlerContext(config({ response_type }), {
          services: testServices({ http: fakeHttp({ body }).http }),
        }),
      );
    expect((await run('json', '[1]')).output).toMatchObject({ body: [1] });
    expect((await run('text', '[1]')).output).toMatchObject({ body: '[1]' });
    await expect(run('json', 'nope')).rejects.toMatchObject({ code: 'HTTP_BAD_JSON' });
  });
});
