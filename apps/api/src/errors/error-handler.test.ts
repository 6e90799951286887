import { errorEnvelopeSchema } from '@agentflow/contracts';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app';
import { fixtureRoutes } from '../test-support/fixture-routes';
import type { LogCapture } from '../test-support/log-capture';
import { createTestApp, sharedTestDatabase } from '../test-support/test-app';

const db = sharedTestDatabase();
let app: App;
let logs: LogCapture;

beforeAll(async () => {
  await db.setup();
  ({ app, logs } = await createTestApp({
    database: db.get(),
    plugins: [fixtureRoutes],
    config: { bodyLimitBytes: 1024 },
  }));
});

afterAll(async () => {
  await app?.close();
  await db.teardown();
});

type Inject = InjectOptions;

/** Every error response must parse as the shared envelope and carry the request id of its header. */
async function expectError(request: Inject, status: number, code: string) {
  const res = await app.inject(request);
  expect(res.statusCode).toBe(status);
  const body = errorEnvelopeSchema.parse(res.json());
  expect(body.error.code).toBe(code);
  expect(body.error.request_id).toBe(res.headers['x-request-id']);
  return body.error;
}

const thing = '/api/v1/test/things/7';

describe('error envelope', () => {
  it('answers a valid request normally', async () => {
    const res = await app.inject({ method: 'POST', url: `${thing}?mode=fast`, payload: { name: 'a' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 7, name: 'a', mode: 'fast' });
  });

  it('malformed JSON -> 400 INVALID_JSON', async () => {
    await expectError(
      { method: 'POST', url: thing, headers: { 'content-type': 'application/json' }, payload: '{"name": ' },
      400,
      'INVALID_JSON',
    );
  });

  it('empty body with a JSON content type -> 400 INVALID_JSON', async () => {
    await expectError(
      { method: 'POST', url: thing, headers: { 'content-type': 'application/json' }, payload: '' },
      400,
      'INVALID_JSON',
    );
  });

  it('body failing the schema -> 422 naming the field', async () => {
    const error = await expectError(
      { method: 'POST', url: thing, payload: { name: '', settings: { timeout_seconds: 900 } } },
      422,
      'VALIDATION_ERROR',
    );
    const fields = error.details.fields as { path: string; message: string }[];
    expect(fields.map((f) => f.path).sort()).toEqual(['body.name', 'body.settings.timeout_seconds']);
    for (const field of fields) expect(field.message).toBeTruthy();
  });

  it('unknown body key on a strict schema -> 422 naming the key', async () => {
    const error = await expectError(
      { method: 'POST', url: thing, payload: { name: 'a', org_id: 'org_other' } },
      422,
      'VALIDATION_ERROR',
    );
    expect(error.details.fields).toEqual([expect.objectContaining({ path: 'body.org_id' })]);
  });

  it('missing body -> 422, not 500', async () => {
    const error = await expectError({ method: 'POST', url: thing }, 422, 'VALIDATION_ERROR');
    expect(error.details.fields).toEqual([expect.objectContaining({ path: 'body' })]);
  });

  it('bad query and params -> 422 naming query.* / params.*', async () => {
    const query = await expectError(
      { method: 'POST', url: `${thing}?mode=reckless`, payload: { name: 'a' } },
      422,
      'VALIDATION_ERROR',
    );
    expect(query.details.fields).toEqual([expect.objectContaining({ path: 'query.mode' })]);
    const params = await expectError(
      { method: 'POST', url: '/api/v1/test/things/abc', payload: { name: 'a' } },
      422,
      'VALIDATION_ERROR',
    );
    expect(params.details.fields).toEqual([expect.objectContaining({ path: 'params.id' })]);
  });

  it('unknown route -> 404 ROUTE_NOT_FOUND', async () => {
    const error = await expectError({ method: 'GET', url: '/api/v1/nope?x=1' }, 404, 'ROUTE_NOT_FOUND');
    expect(error.details).toEqual({ method: 'GET', path: '/api/v1/nope' });
  });

  it('wrong content type -> 415 (text/plain included)', async () => {
    for (const type of ['application/xml', 'text/plain']) {
      await expectError(
        { method: 'POST', url: thing, headers: { 'content-type': type }, payload: 'name=a' },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    }
  });

  it('body over BODY_LIMIT_BYTES -> 413 PAYLOAD_TOO_LARGE', async () => {
    await expectError(
      { method: 'POST', url: thing, payload: { name: 'x'.repeat(2048) } },
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('malformed URL (bad percent-encoding) -> 400 BAD_REQUEST', async () => {
    await expectError({ method: 'GET', url: '/api/v1/test/things/%E0%A4%A' }, 400, 'BAD_REQUEST');
  });

  it('AppError -> its own status, code, message and details', async () => {
    const error = await expectError({ method: 'GET', url: '/api/v1/test/app-error' }, 404, 'AGENT_NOT_FOUND');
    expect(error.message).toBe('Agent agt_123 not found');
    expect(error.details).toEqual({ agent_id: 'agt_123' });
  });

  it('a rate-limit style error keeps its 429', async () => {
    await expectError({ method: 'GET', url: '/api/v1/test/rate-limited' }, 429, 'RATE_LIMIT_EXCEEDED');
  });

  it('unexpected error -> 500 INTERNAL_ERROR, generic message, real error only in the logs', async () => {
    logs.clear();
    const res = await app.inject({ method: 'GET', url: '/api/v1/test/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
    expect(res.json().error.code).toBe('INTERNAL_ERROR');
    const logged = logs.forRequest(res.json().error.request_id).find((line) => line.level === 50);
    expect(JSON.stringify(logged?.err)).toContain('connect failed');
    // Logged, but without the password embedded in the connection string.
    expect(logs.text).not.toContain('hunter2');
  });

  it('a response that breaks its schema -> 500, never the bad payload', async () => {
    const error = await expectError(
      { method: 'GET', url: '/api/v1/test/bad-response' },
      500,
      'INTERNAL_ERROR',
    );
    expect(JSON.stringify(error)).not.toContain('many');
  });
});
