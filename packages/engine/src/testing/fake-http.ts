import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeReply, FakeResponder, RecordedRequest } from './fake-reply';

/** What every fake provider offers a test. */
export interface FakeServer {
  /** The base URL to give the SDK (`baseUrl` option). */
  readonly url: string;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** Script the next chat answers (chat completions / messages), consumed in order. */
  enqueue(...replies: FakeReply[]): void;
  /** Answers chat requests when the queue is empty (default: echo the last user message). */
  respondWith(responder: FakeResponder): void;
  /** Clears the queues, the request log and the responder. */
  reset(): void;
  close(): Promise<void>;
}

export interface RouteContext {
  request: RecordedRequest;
  res: ServerResponse;
  /** Resolves when the client goes away (abort, timeout, destroyed socket). */
  closed: Promise<void>;
  isClosed(): boolean;
}

export type Route = (ctx: RouteContext) => Promise<void>;

/** A node:http server on 127.0.0.1:<random port> that records requests and dispatches to `route`. */
export async function listen(
  route: Route,
): Promise<{ origin: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake server bug: ${String(err)}` } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      ),
      body: parseJson(text),
    };
    requests.push(request);
    let isClosed = false;
    // `close` on the response fires when the exchange ends or the client disconnects early.
    const closed = new Promise<void>((resolve) =>
      res.once('close', () => {
        isClosed = true;
        resolve();
      }),
    );
    await route({ request, res, closed, isClosed: () => isClosed });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive sockets (and stalled streams) would hold close() open forever.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Scripted replies first, then the responder (one queue per endpoint). */
export class ReplyQueue {
  private queue: FakeReply[] = [];
  private responder: FakeResponder;
  constructor(private readonly fallback: FakeResponder) {
    this.responder = fallback;
  }

  enqueue(replies: FakeReply[]): void {
    this.queue.push(...replies);
  }
  respondWith(responder: FakeResponder): void {
    this.responder = responder;
  }
  next(request: RecordedRequest): FakeReply {
    return this.queue.shift() ?? this.responder(request);
  }
  reset(): void {
    this.queue = [];
    this.responder = this.fallback;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendRaw(
  res: ServerResponse,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(200, { 'content-type': contentType, ...headers });
  res.end(body);
}

/** Waits `ms`, or less if the client goes away; true when the client is still there. */
export async function wait(ctx: RouteContext, ms: number | undefined): Promise<boolean> {
  if (ms && ms > 0) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ctx.closed, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }
  return !ctx.isClosed();
}

export interface SseEvent {
  /** The `event:` line (Anthropic); OpenAI sends data only. */
  event?: string;
  data: string;
  /** Counts toward `stallAfter` / `dropAfter` / `streamErrorAfter` and waits `chunkDelayMs`. */
  content?: boolean;
}

/**
 * Writes a server-sent event stream: `event: x\ndata: y\n\n` frames, flushed one by one, with the
 * reply's scripted pauses, stalls, dropped connections and in-stream errors.
 */
export async function streamEvents(
  ctx: RouteContext,
  reply: FakeReply,
  events: SseEvent[],
  errorEvent: SseEvent,
  headers: Record<string, string> = {},
): Promise<void> {
  const { res } = ctx;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  res.flushHeaders();
  let sent = 0;
  for (const event of events) {
    if (ctx.isClosed()) return;
    if (event.content) {
      if (sent === reply.stallAfter) return void (await ctx.closed);
      if (sent === reply.dropAfter) return void res.socket?.destroy();
      if (sent === reply.streamErrorAfter) {
        res.end(frame(errorEvent));
        return;
      }
      sent++;
      if (!(await wait(ctx, reply.chunkDelayMs))) return;
    }
    res.write(frame(event));
  }
  res.end();
}

function frame(e: SseEvent): string {
  return `${e.event ? `event: ${e.event}\n` : ''}data: ${e.data}\n\n`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Splits text into word-sized streaming pieces that join back to the text exactly. */
export function pieces(text: string, chunks?: string[]): string[] {
  if (chunks) return chunks;
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

/** Default token counts: ~4 characters per token, at least 1. */
export function roughTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return Math.max(1, Math.ceil(text.length / 4));
}

export function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown };
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) {
      const text = m.content.find((b: { type?: unknown }) => b.type === 'text') as
        | { text?: string }
        | undefined;
      if (text?.text) return text.text;
    }
  }
  return '';
}

export function toolArgumentsText(args: Record<string, unknown> | string): string {
  return typeof args === 'string' ? args : JSON.stringify(args);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
