/**
 * Engine errors carry a stable `code` (for step rows and events) and whether a retry may help
 * (seed 004 §5.5: provider timeouts, rate limits and connection errors are retryable; bad input is not).
 */
export class EngineError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  /** A 429's Retry-After, honoured by the retry backoff. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: string,
    message: string,
    opts: { retryable?: boolean; cause?: unknown; retryAfterMs?: number } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'EngineError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** A `{{...}}` path that resolves to nothing and has no default. */
export class VariableError extends EngineError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('VARIABLE_MISSING', message);
    this.name = 'VariableError';
    this.path = path;
  }
}

export class DefinitionInvalidError extends EngineError {
  readonly problems: ReadonlyArray<{ code: string; message: string; node_id?: string; edge_id?: string }>;
  constructor(problems: DefinitionInvalidError['problems']) {
    super(
      'DEFINITION_INVALID',
      `The definition is invalid: ${problems
        .slice(0, 3)
        .map((p) => p.message)
        .join('; ')}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ''}`,
    );
    this.name = 'DefinitionInvalidError';
    this.problems = problems;
  }
}

/** The run (or one step) was cancelled through its AbortSignal. Never retried. */
export class AbortedError extends EngineError {
  constructor(message = 'The execution was aborted', cause?: unknown) {
    super('EXECUTION_ABORTED', message, { cause });
    this.name = 'AbortedError';
  }
}

/** One attempt of a step ran past its `timeout_ms`; retryable like a provider timeout. */
export class StepTimeoutError extends EngineError {
  constructor(nodeId: string, timeoutMs: number) {
    super('STEP_TIMEOUT', `Step "${nodeId}" timed out after ${timeoutMs} ms`, { retryable: true });
    this.name = 'StepTimeoutError';
  }
}

/** The failure of a step, naming it; keeps the cause's code and retryability. */
export class StepError extends EngineError {
  readonly nodeId: string;
  readonly attempts: number;
  constructor(nodeId: string, cause: unknown, attempts: number) {
    const inner = cause instanceof Error ? cause.message : String(cause);
    super(errorCode(cause), `Step "${nodeId}" failed: ${inner}`, { cause, retryable: isRetryable(cause) });
    this.name = 'StepError';
    this.nodeId = nodeId;
    this.attempts = attempts;
  }
}

const retryableNetworkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Whether a retry may help: engine errors say so; raw Node network errors by their code. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof EngineError) return err.retryable;
  if (err && typeof err === 'object') {
    const code = 'code' in err ? err.code : undefined;
    if (typeof code === 'string' && retryableNetworkCodes.has(code)) return true;
    const status = 'status' in err ? err.status : undefined;
    if (typeof status === 'number') return status === 429 || status >= 500;
  }
  return false;
}

export function errorCode(err: unknown): string {
  if (err instanceof EngineError) return err.code;
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return 'STEP_FAILED';
}

export function isAbortError(err: unknown): boolean {
  return err instanceof AbortedError || (err instanceof Error && err.name === 'AbortError');
}
