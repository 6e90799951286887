import type { Db } from '@agentflow/db';
import { executions, webhookDeliveries, webhookEndpoints } from '@agentflow/db/schema';
import { count, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import type { App } from '../../app';
import { caller, createAgentAs } from '../agents/test-fixtures';
import type { TestMember } from '../org/test-fixtures';

/**
 * Test-only helpers for the webhook suites. Deliveries are signed with the official Standard Webhooks
 * library (`standardwebhooks`), never with our own signer, so the tests check interoperability.
 */

const at = (y: number) => ({ x: 0, y });

export interface HookAgentOptions {
  method?: 'POST' | 'GET' | 'PUT';
  responseMode?: 'async' | 'sync';
  /** A delay (ms) before the output: keeps a run going for the sync-timeout tests. */
  delayMs?: number;
  /** JSON schema the trigger data must match (a failing run for the sync error tests). */
  inputSchema?: Record<string, unknown>;
  /** Agent settings (timeout_seconds ...). */
  settings?: Record<string, unknown>;
}

/** trigger.webhook -> [delay] -> respond with what the run received. */
export function webhookDefinition(options: HookAgentOptions = {}) {
  const trigger = {
    id: 'trigger',
    type: 'trigger',
    subtype: 'webhook',
    label: 'Webhook',
    config: {
      method: options.method ?? 'POST',
      response_mode: options.responseMode ?? 'async',
      ...(options.inputSchema ? { input_schema: options.inputSchema } : {}),
    },
    position: at(0),
  };
  const respond = {
    id: 'respond',
    type: 'output',
    subtype: 'respond',
    label: 'Respond',
    config: {
      body: {
        received: '{{trigger.data.body}}',
        method: '{{trigger.data.method}}',
        query: '{{trigger.data.query}}',
      },
    },
    position: at(200),
  };
  if (options.delayMs === undefined) {
    return { nodes: [trigger, respond], edges: [{ id: 'e1', source: 'trigger', target: 'respond' }] };
  }
  const delay = {
    id: 'wait',
    type: 'logic',
    subtype: 'delay',
    label: 'Wait',
    config: { ms: options.delayMs },
    position: at(100),
  };
  return {
    nodes: [trigger, delay, respond],
    edges: [
      { id: 'e1', source: 'trigger', target: 'wait' },
      { id: 'e2', source: 'wait', target: 'respond' },
    ],
  };
}

export interface HookAgent {
  agentId: string;
  hookId: string;
  path: string;
  secret: string;
}

/** A published, active webhook agent, its endpoint and its revealed secret. */
export async function createHookAgent(
  app: App,
  owner: TestMember,
  options: HookAgentOptions = {},
): Promise<HookAgent> {
  const call = caller(() => app);
  const agent = await createAgentAs(app, owner, {
    trigger_type: 'webhook',
    definition: webhookDefinition(options),
    ...(options.settings ? { settings: options.settings } : {}),
  });
  const published = await call(owner, 'POST', `/api/v1/agents/${agent.id}/publish`, { change_message: 'v1' });
  expect(published.statusCode, published.body).toBe(201);
  const activated = await call(owner, 'PUT', `/api/v1/agents/${agent.id}/status`, { status: 'active' });
  expect(activated.statusCode, activated.body).toBe(200);
  const endpoint = await call(owner, 'GET', `/api/v1/agents/${agent.id}/webhook`);
  expect(endpoint.statusCode, endpoint.body).toBe(200);
  const revealed = await call(owner, 'POST', `/api/v1/agents/${agent.id}/webhook/secret`);
  expect(revealed.statusCode, revealed.body).toBe(200);
  return {
    agentId: agent.id,
    hookId: endpoint.json().hook_id,
    path: endpoint.json().path,
    secret: revealed.json().secret,
  };
}

export interface DeliveryOptions {
  /** Signs with this secret (official library); omit for an unsigned request. */
  secret?: string;
  id?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  method?: 'POST' | 'GET' | 'PUT' | 'PATCH' | 'DELETE';
  contentType?: string;
  headers?: Record<string, string>;
  query?: string;
}

let counter = 0;
export const deliveryId = () => `msg_${Date.now().toString(36)}_${++counter}`;

/** Sends `body` (a string: the exact bytes signed) to the hook's path. */
export function deliver(
  app: App,
  path: string,
  body: string,
  options: DeliveryOptions = {},
): Promise<LightMyRequestResponse> {
  const method = options.method ?? 'POST';
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers['content-type'] = options.contentType ?? 'application/json';
  if (options.secret) {
    const id = options.id ?? deliveryId();
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    headers['webhook-id'] = id;
    headers['webhook-timestamp'] = String(timestamp);
    headers['webhook-signature'] = new Webhook(options.secret).sign(id, new Date(timestamp * 1000), body);
  }
  Object.assign(headers, options.headers);
  return app.inject({
    method,
    url: `${path}${options.query ? `?${options.query}` : ''}`,
    headers,
    ...(method === 'GET' ? {} : { payload: body }),
  });
}

/** Rows the suites check "nothing written" against. */
export async function hookFootprint(owner: Db, hook: HookAgent) {
  const [runs] = await owner
    .select({ n: count() })
    .from(executions)
    .where(eq(executions.agentId, hook.agentId));
  const [endpoint] = await owner
    .select({ id: webhookEndpoints.id, lastTriggeredAt: webhookEndpoints.lastTriggeredAt })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.hookId, hook.hookId));
  const [deliveries] = await owner
    .select({ n: count() })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.endpointId, endpoint!.id));
  return {
    executions: runs?.n ?? 0,
    deliveries: deliveries?.n ?? 0,
    lastTriggeredAt: endpoint?.lastTriggeredAt ?? null,
  };
}

/** Polls GET /executions/:id until one of `statuses`. */
export async function waitForStatus(app: App, who: TestMember, id: string, statuses: string[], ms = 15_000) {
  const call = caller(() => app);
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await call(who, 'GET', `/api/v1/executions/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    if (statuses.includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`execution ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
