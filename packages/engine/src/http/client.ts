import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { EngineError } from '../errors';
import { abortError } from '../sleep';
import { createSsrfGuard, type SafeTarget, type SsrfPolicy } from './ssrf';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** 0: return redirects as responses. Default 5. */
  maxRedirects?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Decoded as UTF-8. */
  body: string;
  /** The undecoded body (binary downloads: knowledge-base documents). */
  bytes?: Buffer;
  /** After redirects. */
  url: string;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
}

export interface HttpClientOptions extends SsrfPolicy {
  /** Larger responses fail the request. Default 5 MiB. */
  maxResponseBytes?: number;
  userAgent?: string;
}

export class HttpError extends EngineError {
  constructor(code: string, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(code, message, opts);
    this.name = 'HttpError';
  }
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * The HTTP client of http_request nodes and agent tools: every hop (the first URL and each redirect)
 * is checked by the SSRF guard, and the socket connects to the address the guard checked.
 */
export function createSafeHttpClient(opts: HttpClientOptions = {}): HttpClient {
  const guard = createSsrfGuard(opts);
  const maxBytes = opts.maxResponseBytes ?? 5 * 1024 * 1024;
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  return {
    async request(req) {
      const timeoutMs = req.timeoutMs ?? 30_000;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let url = parseUrl(req.url);
      let method = req.method.toUpperCase();
      let body = req.body;
      const headers: Record<string, string> = { 'user-agent': opts.userAgent ?? 'AgentFlow', ...req.headers };
      const maxRedirects = req.maxRedirects ?? 5;
      try {
        for (let hop = 0; ; hop++) {
          const target = await guard.check(url);
          signal.throwIfAborted();
          const res = await send(target, method, headers, body, signal, maxBytes, agents);
          const location = res.headers.location;
          if (!redirectStatuses.has(res.status) || !location || maxRedirects === 0) return res;
          if (hop >= maxRedirects)
            throw new HttpError('HTTP_TOO_MANY_REDIRECTS', `More than ${maxRedirects} redirects`);
          const next = new URL(location, url);
          if (next.origin !== url.origin) {
            // Credentials are for the origin they were given for.
            for (const h of Object.keys(headers))
              if (/^(authorization|cookie|proxy-authorization)$/i.test(h)) delete headers[h];
          }
          if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
            method = 'GET';
            body = undefined;
          }
          url = next;
        }
      } catch (err) {
        if (timeout.aborted && !req.signal?.aborted) {
          throw new HttpError('HTTP_TIMEOUT', `No response from ${url.host} within ${timeoutMs} ms`, {
            retryable: true,
          });
        }
        if (req.signal?.aborted) throw abortError(req.signal);
        throw err;
      }
    },
  };
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new HttpError('HTTP_INVALID_URL', `Invalid URL "${raw.slice(0, 200)}"`);
  }
}

function send(
  target: SafeTarget,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  signal: AbortSignal,
  maxBytes: number,
  agents: { http: http.Agent; https: https.Agent },
): Promise<HttpResponse> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const isHttps = target.url.protocol === 'https:';
  const mod = isHttps ? https : http;
  return new Promise<HttpResponse>((resolve, reject) => {
    const req = mod.request(target.url, {
      method,
      headers:
        body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: pinned,
      signal,
      agent: isHttps ? agents.https : agents.http,
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (signal.aborted) return reject(signal.reason);
      const code = err.code ?? '';
      reject(
        new HttpError(
          connectionCodes.has(code) ? 'HTTP_CONNECTION_ERROR' : 'HTTP_REQUEST_ERROR',
          `${target.url.host}: ${err.message}`,
          {
            retryable: connectionCodes.has(code),
            cause: err,
          },
        ),
      );
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          res.destroy();
          reject(new HttpError('HTTP_RESPONSE_TOO_LARGE', `Response larger than ${maxBytes} bytes`));
        } else chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers))
          if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
        const bytes = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: out,
          body: bytes.toString('utf8'),
          bytes,
          url: target.url.href,
        });
      });
    });
    req.end(body);
  });
}
