import {
  EXECUTION_STREAM_CREDENTIAL_PREFIX,
  EXECUTION_STREAM_PROTOCOL,
  type ExecutionEvent,
  executionEventSchema,
  executionStreamCloseCodes,
  isTerminalExecutionEvent,
} from '@agentflow/contracts';
import { AgentFlowError } from './errors';

/** The part of a WebSocket the stream uses: the browser's, Node 22's global one and `ws` all fit. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface ExecutionStreamOptions {
  /** The last seq you already have: only later events are sent. Default 0 (from the first event). */
  after?: number;
  /** Aborting closes the socket; the iteration then throws the signal's reason. */
  signal?: AbortSignal;
  /** Failed connection attempts in a row before the iteration throws (default 10). */
  maxRetries?: number;
}

/** What the stream needs from the client: where the API is and the current credential. */
export interface StreamTransport {
  baseUrl: string;
  credential(): Promise<string | undefined>;
  /** A plain GET of `path` through the client: how a refused upgrade learns the API's error. */
  probe(path: string): Promise<unknown>;
  WebSocket?: WebSocketConstructor | undefined;
}

const CONNECTING = 0;
const OPEN = 1;
const MAX_BACKOFF_MS = 5_000;
/** A connection open this long counts as healthy even without events (a run waiting for approval). */
const HEALTHY_AFTER_MS = 10_000;

type SocketEnd = { code: number; reason: string; opened: boolean };

/** Execution endpoints of the API. */
export class ExecutionsApi {
  constructor(private readonly transport: StreamTransport) {}

  /**
   * The events of an execution as they happen: the stored ones after `after`, then live ones, each
   * seq once and in order. A dropped connection is reopened with `after` = the last seq received; the
   * iteration ends after the terminal event (execution.completed, .failed, .cancelled). A run waiting
   * for approval keeps it open. Refusals (401, 403, 404 ...) throw an AgentFlowError at once.
   *
   *   for await (const event of client.executions.stream(id)) console.log(event.seq, event.type);
   */
  stream(id: string, options: ExecutionStreamOptions = {}): AsyncIterable<ExecutionEvent> {
    return streamExecution(this.transport, id, options);
  }
}

async function* streamExecution(
  transport: StreamTransport,
  id: string,
  options: ExecutionStreamOptions,
): AsyncGenerator<ExecutionEvent, void, undefined> {
  const { signal } = options;
  const maxRetries = options.maxRetries ?? 10;
  const path = `/api/v1/executions/${encodeURIComponent(id)}/stream`;
  const WebSocketImpl = transport.WebSocket ?? (await defaultWebSocket());
  let last = options.after ?? 0;
  let failures = 0;
  let lastError: unknown;

  for (;;) {
    signal?.throwIfAborted();
    const credential = await transport.credential();
    const protocols = credential
      ? [EXECUTION_STREAM_PROTOCOL, `${EXECUTION_STREAM_CREDENTIAL_PREFIX}${credential}`]
      : [];
    const connection = readSocket(
      new WebSocketImpl(socketUrl(transport.baseUrl, `${path}?after=${last}`), protocols),
      signal,
    );
    const startedAt = Date.now();
    let delivered = false;
    let end: SocketEnd;
    try {
      for (;;) {
        const next = await connection.next();
        signal?.throwIfAborted();
        if (next.done) {
          end = next.value;
          break;
        }
        const event = parseEvent(next.value);
        if (event.seq <= last) continue;
        last = event.seq;
        delivered = true;
        yield event;
        if (isTerminalExecutionEvent(event.type)) return;
      }
    } finally {
      await connection.return({ code: 1000, reason: '', opened: true });
    }

    if (end.code === executionStreamCloseCodes.done) return;
    if (end.opened) {
      // Reconnect at once after a healthy connection; back off when the server accepts and drops.
      if (delivered || Date.now() - startedAt >= HEALTHY_AFTER_MS) failures = 0;
      else failures += 1;
    } else {
      // The handshake failed. Ask the same URL over plain HTTP why: a refusal (401, 403, 404, 422) is
      // final; 426 (the API would have upgraded), 429, 5xx and network errors are worth a retry.
      lastError = await refusal(transport, `${path}?after=${last}`);
      if (lastError instanceof AgentFlowError && isFinal(lastError)) throw lastError;
      failures += 1;
    }
    if (failures > maxRetries) {
      throw new AgentFlowError({
        status: 0,
        code: 'NETWORK_ERROR',
        message: `Could not keep the event stream of execution ${id} open after ${maxRetries} retries: ${
          (lastError as Error | undefined)?.message ?? `closed with ${end.code} ${end.reason}`
        }`,
      });
    }
    await sleep(backoffMs(failures), signal);
  }
}

/** Yields each text message; returns how the socket ended. Closes it when abandoned or aborted. */
async function* readSocket(
  socket: WebSocketLike,
  signal: AbortSignal | undefined,
): AsyncGenerator<string, SocketEnd, undefined> {
  const queue: string[] = [];
  let opened = false;
  let end: SocketEnd | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  socket.onopen = () => {
    opened = true;
  };
  socket.onmessage = (event) => {
    queue.push(typeof event.data === 'string' ? event.data : String(event.data));
    notify();
  };
  socket.onclose = (event) => {
    end = { code: event.code, reason: event.reason, opened };
    notify();
  };
  // A close event always follows an error; nothing to do here but keep it from being unhandled.
  socket.onerror = () => {};
  const onAbort = () => {
    socket.close(1000, 'aborted');
    end ??= { code: 1000, reason: 'aborted', opened };
    notify();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const message = queue.shift();
      if (message !== undefined) {
        yield message;
        continue;
      }
      if (end) return end;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (socket.readyState === CONNECTING || socket.readyState === OPEN) socket.close(1000);
  }
}

function parseEvent(message: string): ExecutionEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    raw = undefined;
  }
  const parsed = executionEventSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AgentFlowError({
      status: 0,
      code: 'UNEXPECTED_RESPONSE',
      message: `Unexpected message on the execution stream: ${message.slice(0, 200)}`,
    });
  }
  return parsed.data;
}

async function refusal(transport: StreamTransport, path: string): Promise<unknown> {
  try {
    await transport.probe(path);
    return new Error('the stream endpoint answered a plain GET with success');
  } catch (error) {
    return error;
  }
}

function isFinal(error: AgentFlowError): boolean {
  return error.status >= 400 && error.status < 500 && error.status !== 426 && error.status !== 429;
}

function backoffMs(failures: number): number {
  if (failures === 0) return 0;
  const base = Math.min(MAX_BACKOFF_MS, 250 * 2 ** (failures - 1));
  return base / 2 + Math.random() * (base / 2);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/** ws:// or wss:// for the API origin; a '' base URL means this page's origin (browser). */
function socketUrl(baseUrl: string, path: string): string {
  const origin = baseUrl || (globalThis as { location?: { href: string } }).location?.href;
  if (!origin) throw new Error('baseUrl is required outside a browser');
  const url = new URL(path, origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** The platform's WebSocket (browsers, Node 22+), else the `ws` package (Node 20). */
async function defaultWebSocket(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return global;
  // A variable specifier, ignored by bundlers: only Node without a global WebSocket gets here.
  const specifier = 'ws';
  const ws = (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as {
    WebSocket: WebSocketConstructor;
  };
  return ws.WebSocket;
}
