/**
 * A small HTTP client over node:http with keep-alive (lighter than fetch, so the load generator takes
 * less of the 2 CPUs the API and worker need), and the management calls the bench makes through the
 * real API: sign up, create / publish / activate agents, read and reveal a webhook secret.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export function request(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: string | undefined; headers?: Record<string, string> } = {},
): Promise<Response> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        agent,
        headers: {
          ...(options.body !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body) }
            : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON: keep the text.
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function closeClient(): void {
  agent.destroy();
}

/** The API as one signed-in owner. */
export class Api {
  private token = '';
  constructor(
    readonly baseUrl: string,
    private readonly credentials: { email: string; password: string },
  ) {}

  get authHeader(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  /** Signs up (user + org) and keeps the access token; answers the org id. */
  async signup(name: string, organization: string): Promise<{ orgId: string }> {
    const res = await this.json('POST', '/api/v1/auth/signup', 201, {
      ...this.credentials,
      name,
      organization_name: organization,
    });
    this.token = res.access_token as string;
    return { orgId: (res.organization as { id: string }).id };
  }

  /** A fresh access token (they live 15 minutes; each phase starts with one). */
  async login(): Promise<void> {
    const res = await this.json('POST', '/api/v1/auth/login', 200, this.credentials);
    this.token = res.access_token as string;
  }

  async call(method: string, path: string, body?: unknown): Promise<Response> {
    return request(this.baseUrl, method, path, {
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: this.authHeader,
    });
  }

  /** `call`, insisting on `status`; answers the parsed body. */
  async json(method: string, path: string, status: number, body?: unknown): Promise<Record<string, unknown>> {
    const res = await this.call(method, path, body);
    if (res.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
    }
    return res.body as Record<string, unknown>;
  }

  /** Creates, publishes and activates an agent; answers its id. */
  async activeAgent(
    name: string,
    definition: unknown,
    extra: { trigger_type?: string; settings?: Record<string, unknown> } = {},
  ): Promise<string> {
    const agent = await this.json('POST', '/api/v1/agents', 201, { name, definition, ...extra });
    const id = agent.id as string;
    await this.json('POST', `/api/v1/agents/${id}/publish`, 201, { change_message: 'bench' });
    await this.json('PUT', `/api/v1/agents/${id}/status`, 200, { status: 'active' });
    return id;
  }

  /** The agent's webhook path and its revealed secret (the management routes). */
  async webhook(agentId: string): Promise<{ path: string; secret: string }> {
    const endpoint = await this.json('GET', `/api/v1/agents/${agentId}/webhook`, 200);
    const revealed = await this.json('POST', `/api/v1/agents/${agentId}/webhook/secret`, 200);
    return { path: endpoint.path as string, secret: revealed.secret as string };
  }
}

/**
 * Standard Webhooks headers for `body`: `v1,<base64 HMAC-SHA256("<id>.<timestamp>.<body>")>` keyed
 * with the base64-decoded secret after `whsec_` (what `standardwebhooks`' Webhook#sign produces).
 */
export function signWebhook(secret: string, body: string): Record<string, string> {
  const id = `msg_${randomUUID()}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signature}`,
  };
}
