import type { ExecutionEvent } from '@agentflow/contracts';
import type { WebSocketConstructor } from '@agentflow/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { followExecution, streamBaseUrl } from './execution-stream';

const id = '00000000-0000-4000-8000-0000000000aa';
const ev = (seq: number, type = 'log'): ExecutionEvent => ({
  execution_id: id,
  seq,
  type,
  payload: {},
  created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
});

/** A browser-like WebSocket the test drives by hand (EventTarget + on* handlers, like the real one). */
class FakeSocket extends EventTarget {
  static all: FakeSocket[] = [];
  readyState = 0;
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[] = [],
  ) {
    super();
    FakeSocket.all.push(this);
  }
  get after(): number {
    return Number(new URL(this.url).searchParams.get('after'));
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
    this.dispatchEvent(new Event('open'));
  }
  send(...events: ExecutionEvent[]) {
    for (const e of events) this.onmessage?.({ data: JSON.stringify(e) });
  }
  drop(code = 1006) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
    this.dispatchEvent(new Event('close'));
  }
  close(code = 1000) {
    this.drop(code);
  }
}

const Fake = FakeSocket as unknown as WebSocketConstructor;
const tick = () => new Promise((r) => setTimeout(r, 5));
async function socket(n: number): Promise<FakeSocket> {
  for (let i = 0; i < 200 && FakeSocket.all.length <= n; i++) await tick();
  const s = FakeSocket.all[n];
  if (!s) throw new Error(`socket ${n} never opened`);
  return s;
}

function envelope(status: number, code: string) {
  return new Response(JSON.stringify({ error: { code, message: code, details: {}, request_id: 'r1' } }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

function follow(overrides: Partial<Parameters<typeof followExecution>[0]> = {}) {
  const seen: number[] = [];
  const errors: Array<string | undefined> = [];
  const opened = vi.fn();
  const closed = vi.fn();
  const abort = new AbortController();
  const done = followExecution({
    executionId: id,
    signal: abort.signal,
    baseUrl: 'http://api.test',
    getToken: () => 'token-1',
    refresh: async () => false,
    onSessionLost: () => {},
    WebSocket: Fake,
    retryAfterErrorMs: 1,
    onEvent: (e) => seen.push(e.seq),
    onOpen: opened,
    onClose: closed,
    onError: (m) => errors.push(m),
    ...overrides,
  });
  return { seen, errors, opened, closed, abort, done };
}

afterEach(() => {
  FakeSocket.all = [];
});

describe('followExecution', () => {
  it('authenticates with the bearer subprotocols and reconnects after a drop with after = the last seq, losing nothing', async () => {
    const f = follow();
    const first = await socket(0);
    expect(first.url).toBe(`ws://api.test/api/v1/executions/${id}/stream?after=0`);
    expect(first.protocols).toEqual(['bearer', 'bearer.token-1']);
    first.open();
    expect(f.opened).toHaveBeenCalledTimes(1);
    first.send(ev(1, 'execution.started'), ev(2));
    await tick();
    first.drop(1006);

    const second = await socket(1);
    expect(second.after).toBe(2);
    second.open();
    // A server replaying what we have must not make us see it twice.
    second.send(ev(2), ev(3), ev(4, 'execution.completed'));
    await f.done;
    expect(f.seen).toEqual([1, 2, 3, 4]);
    expect(f.closed).toHaveBeenCalled();
    expect(f.errors).toEqual([]);
  });

  it('renews an expired access token once and continues from the last seq', async () => {
    let token = 'old';
    const refresh = vi.fn(async () => {
      token = 'new';
      return true;
    });
    const fetch = vi.fn(async () => envelope(401, 'AUTH_TOKEN_EXPIRED'));
    const f = follow({ getToken: () => token, refresh, fetch: fetch as unknown as typeof globalThis.fetch });
    const first = await socket(0);
    first.open();
    first.send(ev(1, 'execution.started'));
    await tick();
    first.drop(1006);
    // The reconnect is refused before the upgrade: the SDK asks the same URL over HTTP why (401).
    const refused = await socket(1);
    expect(refused.protocols).toEqual(['bearer', 'bearer.old']);
    refused.drop(1006);

    const renewed = await socket(2);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(renewed.protocols).toEqual(['bearer', 'bearer.new']);
    expect(renewed.after).toBe(1);
    renewed.open();
    renewed.send(ev(2, 'execution.completed'));
    await f.done;
    expect(f.seen).toEqual([1, 2]);
    expect(fetch).toHaveBeenCalledWith(
      `http://api.test/api/v1/executions/${id}/stream?after=1`,
      expect.objectContaining({ method: 'GET' }),
    );
  });

  it('ends the session when the token cannot be renewed', async () => {
    const sessionLost = vi.fn();
    const f = follow({
      onSessionLost: sessionLost,
      refresh: async () => false,
      fetch: (async () => envelope(401, 'AUTH_TOKEN_EXPIRED')) as unknown as typeof fetch,
    });
    (await socket(0)).drop(1006);
    await f.done;
    expect(sessionLost).toHaveBeenCalledTimes(1);
    expect(f.errors).toEqual(['Your session has ended. Please log in again.']);
  });

  it('stops with a plain message on a refusal that asking again cannot change (404)', async () => {
    const f = follow({
      fetch: (async () => envelope(404, 'EXECUTION_NOT_FOUND')) as unknown as typeof fetch,
    });
    (await socket(0)).drop(1006);
    await f.done;
    expect(FakeSocket.all).toHaveLength(1);
    expect(f.errors).toHaveLength(1);
  });

  it('closes the socket and stops when aborted', async () => {
    const f = follow();
    const s = await socket(0);
    s.open();
    f.abort.abort();
    await f.done;
    expect(s.readyState).toBe(3);
    expect(FakeSocket.all).toHaveLength(1);
  });
});

describe('streamBaseUrl', () => {
  it('is same-origin by default and accepts ws(s):// or http(s):// origins', () => {
    expect(streamBaseUrl(undefined)).toBe('');
    expect(streamBaseUrl('')).toBe('');
    expect(streamBaseUrl('ws://127.0.0.1:4000/')).toBe('http://127.0.0.1:4000');
    expect(streamBaseUrl('wss://api.example.com')).toBe('https://api.example.com');
    expect(streamBaseUrl('https://api.example.com')).toBe('https://api.example.com');
  });
});
