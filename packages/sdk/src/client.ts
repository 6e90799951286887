import { errorEnvelopeSchema, healthSchema, type Readiness, readinessSchema } from '@agentflow/contracts';
import { z } from 'zod';
import { AgentFlowError } from './errors';
import { ExecutionsApi, type WebSocketConstructor } from './executions';
import { KnowledgeApi } from './knowledge';

export interface ClientOptions {
  /** API origin, e.g. `https://agentflow.example.com`; '' for same-origin calls in the browser. */
  baseUrl: string;
  /** Org API key (sent as `X-API-Key`). */
  apiKey?: string;
  /** Returns the current access token (sent as `Authorization: Bearer`). */
  getAccessToken?: () => string | undefined | Promise<string | undefined>;
  fetch?: typeof fetch;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** WebSocket implementation for streams; default: the platform's, else the `ws` package (Node 20). */
  WebSocket?: WebSocketConstructor;
}

export interface RequestOptions {
  method?: string;
  /** JSON-encoded, or sent as is when FormData (multipart: fetch sets the boundary). */
  body?: unknown;
  /** Statuses whose body is still parsed with the success schema (e.g. 503 on /readyz). */
  acceptStatuses?: number[];
}

/** Typed client for the AgentFlow HTTP API: validates every response against the shared contracts. */
export class AgentFlowClient {
  private readonly options: ClientOptions;
  /** Executions: `stream(id, { after?, signal? })` (live events over a WebSocket). */
  readonly executions: ExecutionsApi;
  /** Knowledge bases, their documents (upload, URL, text, re-index) and retrieval. */
  readonly knowledge: KnowledgeApi;

  constructor(options: ClientOptions) {
    this.options = { timeoutMs: 30_000, ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
    this.executions = new ExecutionsApi({
      baseUrl: this.options.baseUrl,
      WebSocket: this.options.WebSocket,
      // Browsers cannot set headers on a WebSocket: the credential travels as a subprotocol.
      credential: async () => (await this.options.getAccessToken?.()) ?? this.options.apiKey,
      probe: (path) => this.request(path, z.unknown()),
    });
    this.knowledge = new KnowledgeApi((path, schema, init) => this.request(path, schema, init));
  }

  /** Liveness of the API process. */
  health() {
    return this.request('/healthz', healthSchema);
  }

  /** Readiness: the database and (when configured) Redis, each with its status. A 503 still resolves. */
  readiness(): Promise<Readiness> {
    return this.request('/readyz', readinessSchema, { acceptStatuses: [503] });
  }

  async request<T extends z.ZodType>(
    path: string,
    schema: T,
    init: RequestOptions = {},
  ): Promise<z.infer<T>> {
    const { baseUrl, apiKey, getAccessToken, timeoutMs } = this.options;
    const doFetch = this.options.fetch ?? globalThis.fetch;
    const headers: Record<string, string> = { accept: 'application/json' };
    const multipart = init.body instanceof FormData;
    if (init.body !== undefined && !multipart) headers['content-type'] = 'application/json';
    if (apiKey) headers['x-api-key'] = apiKey;
    const token = await getAccessToken?.();
    if (token) headers.authorization = `Bearer ${token}`;

    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers,
        body: multipart
          ? (init.body as FormData)
          : init.body === undefined
            ? undefined
            : JSON.stringify(init.body),
        signal: AbortSignal.timeout(timeoutMs ?? 30_000),
        credentials: 'include',
      });
    } catch (err) {
      throw new AgentFlowError({
        status: 0,
        code: 'NETWORK_ERROR',
        message: `Could not reach the AgentFlow API at ${baseUrl || 'this origin'}: ${(err as Error).message}`,
      });
    }

    const payload: unknown = await response.json().catch(() => undefined);
    if (response.ok || init.acceptStatuses?.includes(response.status)) {
      const parsed = schema.safeParse(payload);
      if (parsed.success) return parsed.data;
      if (response.ok) {
        throw new AgentFlowError({
          status: response.status,
          code: 'UNEXPECTED_RESPONSE',
          message: `Unexpected response from ${path}: ${parsed.error.message}`,
        });
      }
    }
    const envelope = errorEnvelopeSchema.safeParse(payload);
    if (envelope.success) {
      const { code, message, details, request_id } = envelope.data.error;
      throw new AgentFlowError({ status: response.status, code, message, details, requestId: request_id });
    }
    throw new AgentFlowError({
      status: response.status,
      code: 'UNEXPECTED_RESPONSE',
      message: `The API answered ${response.status} without an error body`,
    });
  }
}
