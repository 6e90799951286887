import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthSchema } from '@agentflow/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentFlowClient } from './client';
import { AgentFlowError } from './errors';

// A real HTTP server speaking the API's wire format, so the client's fetch, headers and parsing run for real.
let server: Server;
let baseUrl: string;
const seen: { headers: Record<string, string | string[] | undefined> }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ headers: req.headers });
    res.setHeader('content-type', 'application/json');
    if (req.url === '/healthz') return res.end(JSON.stringify({ status: 'ok', uptime_s: 1.5 }));
    if (req.url === '/readyz') {
      res.statusCode = 503;
      return res.end(
        JSON.stringify({
          status: 'error',
          checks: { database: { status: 'ok', latency_ms: 1 }, redis: { status: 'error', error: 'down' } },
        }),
      );
    }
    if (req.url === '/garbage') return res.end('{"unexpected": true}');
    res.statusCode = 404;
    res.end(
      JSON.stringify({
        error: {
          code: 'ROUTE_NOT_FOUND',
          message: 'Route GET /nope not found',
          details: {},
          request_id: 'req_1',
        },
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('AgentFlowClient', () => {
  it('parses a success body and sends credentials', async () => {
    const client = new AgentFlowClient({ baseUrl, apiKey: 'af_test', getAccessToken: () => 'tok' });
    await expect(client.health()).resolves.toEqual({ status: 'ok', uptime_s: 1.5 });
    const last = seen.at(-1)?.headers;
    expect(last?.['x-api-key']).toBe('af_test');
    expect(last?.authorization).toBe('Bearer tok');
  });

  it('resolves readiness on 503 so callers can show which dependency failed', async () => {
    const readiness = await new AgentFlowClient({ baseUrl }).readiness();
    expect(readiness.status).toBe('error');
    expect(readiness.checks.redis.status).toBe('error');
  });

  it('turns the error envelope into an AgentFlowError with code and request id', async () => {
    const err = await new AgentFlowClient({ baseUrl })
      .request('/nope', healthSchema)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentFlowError);
    expect(err).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND', requestId: 'req_1' });
  });

  it('rejects a 2xx body that does not match the contract', async () => {
    const err = await new AgentFlowClient({ baseUrl })
      .request('/garbage', healthSchema)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 200 });
  });

  it('reports an unreachable API as NETWORK_ERROR', async () => {
    const err = await new AgentFlowClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 })
      .health()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });
});
