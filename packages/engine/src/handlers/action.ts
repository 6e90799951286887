import { nodeCatalog } from '@agentflow/contracts';
import { EngineError } from '../errors';
import { HttpError, type HttpResponse } from '../http/client';
import { stringify } from '../variables/resolve';
import { defineHandler, type EngineServices } from './types';

export interface HttpCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  credentialId?: string;
  timeoutMs: number;
  followRedirects?: boolean;
}

/** Shared by the http_request node and the agent's http tool. Credentials are added here, so the
 * secret never appears in the step's recorded (resolved) config. */
export async function performHttpCall(
  call: HttpCall,
  services: EngineServices,
  signal: AbortSignal,
): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(call.url);
  } catch {
    throw new HttpError('HTTP_INVALID_URL', `Invalid URL "${call.url.slice(0, 200)}"`);
  }
  for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.append(k, stringify(v));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(call.headers)) headers[k.toLowerCase()] = stringify(v);
  if (call.credentialId) {
    if (!services.credentials) {
      throw new EngineError(
        'CREDENTIALS_UNAVAILABLE',
        `Credential "${call.credentialId}" cannot be used: no credential store is configured`,
      );
    }
    Object.assign(headers, lowerKeys(await services.credentials.httpHeaders(call.credentialId, signal)));
  }
  let body: string | undefined;
  const method = call.method.toUpperCase();
  if (call.body !== undefined && call.body !== null && method !== 'GET' && method !== 'HEAD') {
    if (typeof call.body === 'string') body = call.body;
    else {
      body = JSON.stringify(call.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  return services.http.request({
    method,
    url: url.href,
    headers,
    ...(body === undefined ? {} : { body }),
    timeoutMs: call.timeoutMs,
    signal,
    maxRedirects: call.followRedirects === false ? 0 : 5,
  });
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

export function parseBody(res: HttpResponse, mode: 'auto' | 'json' | 'text'): unknown {
  const looksJson = /\bjson\b/i.test(res.headers['content-type'] ?? '');
  if (mode === 'text' || (mode === 'auto' && !looksJson) || res.body === '') return res.body;
  try {
    return JSON.parse(res.body);
  } catch {
    if (mode === 'auto') return res.body;
    throw new HttpError('HTTP_BAD_JSON', `The response of ${res.url} is not JSON`);
  }
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export const httpRequestHandler = defineHandler({
  type: 'action',
  subtype: 'http_request',
  configSchema: nodeCatalog.action.http_request.configSchema,
  // The request has its own timeout_ms; this caps the whole attempt (redirects included).
  defaultTimeoutMs: 150_000,
  defaultRetry: { max_attempts: 3, base_delay_ms: 1000, factor: 2, max_delay_ms: 30_000 },
  async run({ config, services, signal }) {
    const res = await performHttpCall(
      {
        method: config.method,
        url: stringify(config.url),
        headers: config.headers,
        query: config.query,
        body: config.body,
        ...(config.credential_id ? { credentialId: config.credential_id } : {}),
        timeoutMs: config.timeout_ms,
        followRedirects: config.follow_redirects,
      },
      services,
      signal,
    );
    if (config.fail_on_status && res.status >= 400) {
      const retryAfter = retryAfterMs(res.headers['retry-after'], services.now());
      throw new EngineError(
        'HTTP_STATUS',
        `${config.method} ${res.url} answered ${res.status}: ${res.body.slice(0, 200)}`,
        {
          retryable: res.status === 429 || res.status >= 500,
          ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
        },
      );
    }
    return {
      output: {
        status: res.status,
        headers: res.headers,
        body: parseBody(res, config.response_type),
        url: res.url,
      },
    };
  },
});
