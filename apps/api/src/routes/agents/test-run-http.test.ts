import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_ROLE } from '@agentflow/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { createOrgWithOwner } from '../org/test-fixtures';
import { caller, createAgentAs, triggerNode } from './test-fixtures';

/**
 * The HTTP node in a dry run: auth comes from a stored (vault-sealed) credential, and the SSRF guard
 * follows HTTP_NODE_ALLOW_* — a loopback service is refused by default and reachable once allow-listed.
 */
const shared = sharedTestDatabase();
let server: Server;
let port: number;
const seen: IncomingHttpHeaders[] = [];
const TOKEN = 'tok_http_node_secret_0123456789';

beforeAll(async () => {
  await shared.setup();
  server = createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true, path: req.url }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await shared.teardown();
});

function httpDefinition(credentialId: string) {
  return {
    nodes: [
      triggerNode(),
      {
        id: 'fetch',
        type: 'action',
        subtype: 'http_request',
        label: 'Fetch',
        config: { url: `http://127.0.0.1:${port}/orders/{{trigger.data.id}}`, credential_id: credentialId },
        position: { x: 0, y: 100 },
      },
    ],
    edges: [{ id: 'e1', source: 'trigger', target: 'fetch' }],
  };
}

async function withApp(allowLoopback: boolean, fn: (app: App) => Promise<void>) {
  const { app, logs } = await createTestApp({
    database: shared.get().connectAs(APP_ROLE),
    config: { httpNodePolicy: { allowHosts: [], allowCidrs: allowLoopback ? ['127.0.0.1'] : [] } },
  });
  try {
    await fn(app);
    expect(logs.text).not.toContain(TOKEN);
  } finally {
    await app.close();
  }
}

describe('dry run: HTTP node with a stored credential', () => {
  it('sends the credential to an allow-listed internal host, without recording the secret', async () => {
    await withApp(true, async (app) => {
      const call = caller(() => app);
      const owner = await createOrgWithOwner(app);
      const cred = await call(owner, 'POST', '/api/v1/integrations', {
        provider: 'http_bearer',
        name: 'Orders API',
        credentials: { token: TOKEN },
      });
      expect(cred.statusCode, cred.body).toBe(201);
      const agent = await createAgentAs(app, owner, { definition: httpDefinition(cred.json().id) });
      const before = seen.length;
      const res = await call(owner, 'POST', `/api/v1/agents/${agent.id}/test`, { trigger_data: { id: 42 } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().status, res.body).toBe('completed');
      expect(seen.length).toBe(before + 1);
      expect(seen.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
      expect(res.body).not.toContain(TOKEN);
      const fetch = res.json().steps.find((s: { node_id: string }) => s.node_id === 'fetch');
      expect(fetch.output).toMatchObject({ status: 200, body: { ok: true, path: '/orders/42' } });
    });
  });

  it('refuses a loopback URL when nothing is allow-listed (SSRF guard)', async () => {
    await withApp(false, async (app) => {
      const call = caller(() => app);
      const owner = await createOrgWithOwner(app);
      const cred = await call(owner, 'POST', '/api/v1/integrations', {
        provider: 'http_bearer',
        name: 'Orders API',
        credentials: { token: TOKEN },
      });
      const agent = await createAgentAs(app, owner, { definition: httpDefinition(cred.json().id) });
      const before = seen.length;
      const res = await call(owner, 'POST', `/api/v1/agents/${agent.id}/test`, { trigger_data: { id: 1 } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().status).toBe('failed');
      expect(seen.length).toBe(before);
    });
  });
});
