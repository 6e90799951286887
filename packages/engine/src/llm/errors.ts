import { EngineError } from '../errors';

export type LlmErrorKind =
  | 'timeout'
  | 'rate_limit'
  | 'connection'
  | 'server'
  | 'auth'
  | 'invalid_request'
  | 'bad_output'
  | 'no_provider';

const codes: Record<LlmErrorKind, string> = {
  timeout: 'LLM_API_TIMEOUT',
  rate_limit: 'LLM_RATE_LIMITED',
  connection: 'LLM_CONNECTION_ERROR',
  server: 'LLM_API_ERROR',
  auth: 'LLM_AUTH_ERROR',
  invalid_request: 'LLM_INVALID_REQUEST',
  bad_output: 'LLM_BAD_OUTPUT',
  no_provider: 'LLM_NO_PROVIDER',
};

/** Seed 004 §5.5: timeouts, rate limits, connection and 5xx errors are worth a retry. */
const retryableKinds = new Set<LlmErrorKind>(['timeout', 'rate_limit', 'connection', 'server']);

/** What every provider throws, so retry and fallback decisions never parse messages. */
export class LlmError extends EngineError {
  readonly kind: LlmErrorKind;
  readonly provider: string;
  constructor(
    kind: LlmErrorKind,
    provider: string,
    message: string,
    opts: { cause?: unknown; retryAfterMs?: number } = {},
  ) {
    super(codes[kind], `${provider}: ${message}`, { ...opts, retryable: retryableKinds.has(kind) });
    this.name = 'LlmError';
    this.kind = kind;
    this.provider = provider;
  }
}

/** Errors another provider might not have: worth trying the fallback order. */
export function shouldFallBack(err: unknown): boolean {
  return err instanceof LlmError && err.kind !== 'invalid_request' && err.kind !== 'bad_output';
}
