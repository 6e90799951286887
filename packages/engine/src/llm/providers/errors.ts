import { AbortedError, EngineError } from '../../errors';
import { abortError } from '../../sleep';
import { LlmError, type LlmErrorKind } from '../errors';

/** The error classes both official SDKs export (same Stainless shapes, different class identities). */
export interface SdkErrorClasses {
  base: abstract new (...args: never[]) => Error;
  api: abstract new (...args: never[]) => Error;
  userAbort: abstract new (...args: never[]) => Error;
  connection: abstract new (...args: never[]) => Error;
  timeout: abstract new (...args: never[]) => Error;
}

/** What an SDK `APIError` carries that we read (both SDKs). */
interface ApiErrorFields {
  status?: number;
  headers?: Headers;
  requestID?: string | null;
  /** OpenAI: the `error` object of the body; Anthropic: the whole body. */
  error?: unknown;
  /** Anthropic only: `error.message` of the body. */
  apiMessage?: string | null;
  /** OpenAI: `error.type`; Anthropic: `error.type` of the body (also set for streamed error events). */
  type?: string | null;
  code?: string | null;
}

export interface ErrorContext {
  provider: string;
  sdk: SdkErrorClasses;
  signal?: AbortSignal | undefined;
  /** Strings that must never appear in a message (the API key). */
  secrets: string[];
}

/**
 * Maps whatever an SDK call threw to the engine's errors, so retry and fallback never parse messages:
 * aborts -> the signal's abort error; timeouts, connection failures, 429 and 5xx -> retryable
 * `LlmError`s (429 keeps Retry-After); 401/403 -> `auth`; other 4xx -> `invalid_request`.
 * Messages are redacted: providers echo (parts of) API keys in 401 bodies.
 */
export function toLlmError(err: unknown, ctx: ErrorContext): Error {
  const { provider, sdk } = ctx;
  if (ctx.signal?.aborted) return abortError(ctx.signal);
  if (err instanceof EngineError) return err;
  if (err instanceof sdk.userAbort) return new AbortedError('The model call was aborted');
  if (err instanceof sdk.timeout) return new LlmError('timeout', provider, 'the request timed out');
  if (err instanceof sdk.connection) {
    const code = networkCode(err);
    return new LlmError('connection', provider, `could not reach the API${code ? ` (${code})` : ''}`, {
      cause: err,
    });
  }
  if (err instanceof sdk.api) return fromApiError(err as Error & ApiErrorFields, ctx);
  // A connection lost while reading the body escapes the SDK as undici's TypeError('terminated').
  if (
    err instanceof Error &&
    (networkCode(err) || (err instanceof TypeError && err.message === 'terminated'))
  ) {
    const code = networkCode(err);
    return new LlmError('connection', provider, `the connection was lost${code ? ` (${code})` : ''}`, {
      cause: err,
    });
  }
  // A body or stream that is not JSON: a proxy or server fault, worth a retry or another provider.
  if (err instanceof SyntaxError)
    return new LlmError('server', provider, 'the API sent a malformed response');
  // The SDK's own consistency errors ("request ended without sending any chunks").
  if (err instanceof sdk.base) return new LlmError('server', provider, redact(err.message, ctx.secrets));
  return err instanceof Error ? err : new Error(String(err));
}

function fromApiError(err: Error & ApiErrorFields, ctx: ErrorContext): LlmError {
  const status = err.status;
  const detail = redact(apiMessage(err), ctx.secrets);
  const request = err.requestID ? ` [request ${err.requestID}]` : '';
  const retryAfterMs = retryAfter(err.headers);
  const extra = retryAfterMs === undefined ? {} : { retryAfterMs };
  // No `cause`: the SDK error holds the raw response body, which may echo the key.
  if (status === undefined) {
    // An error event inside a 200 stream: only its type says what happened.
    const kind = streamedKind(`${err.type ?? ''} ${err.code ?? ''}`);
    return new LlmError(kind, ctx.provider, `the stream failed: ${detail}${request}`, extra);
  }
  const kind = statusKind(status, `${err.type ?? ''} ${err.code ?? ''} ${detail}`);
  const hint =
    kind === 'auth'
      ? ' Check the API key (and organization/project) configured for this provider.'
      : kind === 'rate_limit' && retryAfterMs !== undefined
        ? ` Retry after ${Math.ceil(retryAfterMs / 1000)} s.`
        : '';
  const what =
    kind === 'auth' ? 'authentication failed' : kind === 'rate_limit' ? 'rate limited' : 'request failed';
  return new LlmError(kind, ctx.provider, `${what} (HTTP ${status}): ${detail}${request}.${hint}`, extra);
}

function statusKind(status: number, text: string): LlmErrorKind {
  // OpenAI answers 429 `insufficient_quota` when billing is exhausted: retrying cannot help.
  if (status === 429) return /insufficient_quota|billing/.test(text) ? 'auth' : 'rate_limit';
  if (status === 401 || status === 402 || status === 403) return 'auth';
  if (status === 408) return 'timeout';
  if (status === 409 || status >= 500) return 'server';
  return 'invalid_request';
}

function streamedKind(text: string): LlmErrorKind {
  if (/rate_limit/.test(text)) return 'rate_limit';
  if (/authentication|permission/.test(text)) return 'auth';
  if (/invalid_request/.test(text)) return 'invalid_request';
  return 'server';
}

function apiMessage(err: Error & ApiErrorFields): string {
  if (err.apiMessage) return err.apiMessage;
  const inner = err.error;
  if (inner && typeof inner === 'object' && 'message' in inner && typeof inner.message === 'string')
    return inner.message;
  return err.message;
}

/** `retry-after-ms` (OpenAI) or `retry-after` in seconds or as an HTTP date. */
export function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function networkCode(err: Error): string | undefined {
  // The SDK wraps fetch's TypeError('fetch failed'), whose cause carries the socket error code.
  let e: unknown = err.cause;
  for (
    let depth = 0;
    depth < 5 && e && typeof e === 'object';
    depth++, e = (e as { cause?: unknown }).cause
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(?:E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
  }
  return undefined;
}

const keyLike = /\b(sk-(?:ant-|proj-|svcacct-)?)[A-Za-z0-9_*-]{6,}/g;

/** Removes the configured secrets and anything shaped like an OpenAI/Anthropic key; caps the length. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join('[redacted]');
  out = out.replace(keyLike, '$1[redacted]');
  return out.length > 500 ? `${out.slice(0, 500)}…` : out;
}
