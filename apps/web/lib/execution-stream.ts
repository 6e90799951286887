'use client';

import type { ExecutionEvent, ExecutionStatusValue } from '@agentflow/contracts';
import { AgentFlowClient, AgentFlowError, type WebSocketConstructor } from '@agentflow/sdk';
import { useEffect, useState } from 'react';
import { endSession, redirectToLogin, refreshSession } from './api';
import { useAuthStore } from './auth-store';
import { describeError } from './errors';
import {
  type ExecutionStreamState,
  initialExecutionStreamState,
  type NodeRunState,
  reduceExecutionEvents,
} from './execution-stream-reducer';

export type { NodeRunState, NodeRunStatus } from './execution-stream-reducer';
export { reduceExecutionEvent, reduceExecutionEvents } from './execution-stream-reducer';

/**
 * Where the browser opens execution streams. Default '' = this page's origin: `next start` and
 * `next dev` forward WebSocket upgrades on /api/* to the API like any other request (tested in
 * e2e/executions.e2e.ts). Set NEXT_PUBLIC_API_WS_URL (build time; http(s):// or ws(s)://, e.g.
 * `https://api.example.com`) when a proxy in front of the web server does not pass upgrades on; the
 * API must then list the web origin in CORS_ORIGINS (the stream's error probe is a cross-origin GET).
 */
export function streamBaseUrl(configured = process.env.NEXT_PUBLIC_API_WS_URL): string {
  if (!configured) return '';
  return configured.replace(/^ws(s?):\/\//, 'http$1://').replace(/\/+$/, '');
}

export interface ExecutionStream {
  events: ExecutionEvent[];
  /** From the events; 'connecting' until the first one ('pending' when an open socket has none yet). */
  status: ExecutionStatusValue | 'connecting';
  nodes: Record<string, NodeRunState>;
  /** True while a socket is open (false between reconnects and after the run ended). */
  connected: boolean;
  /** Plain words, when the stream cannot be kept open (it keeps retrying unless access was refused). */
  error?: string;
}

const RETRY_AFTER_ERROR_MS = 3_000;
/** The server replays stored events right after the socket opens: none by then means none yet. */
const QUIET_MS = 500;

/** A WebSocket class that also reports open/close (the SDK owns the on* handlers). */
function trackingWebSocket(
  Base: WebSocketConstructor,
  onOpen: () => void,
  onClose: () => void,
): WebSocketConstructor {
  const Tracked = class extends (Base as unknown as typeof WebSocket) {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('open', onOpen);
      this.addEventListener('close', onClose);
    }
  };
  return Tracked as unknown as WebSocketConstructor;
}

export interface FollowExecutionOptions {
  executionId: string;
  /** Aborting ends it (unmount, another execution). */
  signal: AbortSignal;
  /** Events after this seq only (default 0). */
  after?: number;
  onEvent(event: ExecutionEvent): void;
  onOpen(): void;
  onClose(): void;
  /** A message in plain words, or undefined when the trouble is over. */
  onError(message: string | undefined): void;
  /** Defaults: streamBaseUrl(), the auth store's token, lib/api's refresh and redirect, the browser's WebSocket. */
  baseUrl?: string;
  getToken?: () => string | undefined;
  refresh?: () => Promise<boolean>;
  onSessionLost?: () => void;
  WebSocket?: WebSocketConstructor;
  fetch?: typeof fetch;
  retryAfterErrorMs?: number;
}

/**
 * Follows one execution's stream until its terminal event or the signal: reconnects with after = the last
 * seq delivered (the SDK within one iteration; this loop across SDK failures), renews an expired access
 * token once per failure and goes on, and gives up only on a refusal that asking again cannot change.
 */
export async function followExecution(o: FollowExecutionOptions): Promise<void> {
  const { signal } = o;
  let last = o.after ?? 0;
  const client = new AgentFlowClient({
    baseUrl: o.baseUrl ?? streamBaseUrl(),
    getAccessToken: o.getToken ?? (() => useAuthStore.getState().accessToken ?? undefined),
    WebSocket: trackingWebSocket(
      o.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor),
      () => !signal.aborted && o.onOpen(),
      () => !signal.aborted && o.onClose(),
    ),
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  const refresh = o.refresh ?? (async () => (await refreshSession()) !== null);
  const sessionLost =
    o.onSessionLost ??
    (() => {
      endSession();
      redirectToLogin();
    });
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });

  let refreshed = false;
  while (!signal.aborted) {
    try {
      for await (const event of client.executions.stream(o.executionId, { after: last, signal })) {
        last = event.seq;
        refreshed = false;
        o.onEvent(event);
      }
      return; // the terminal event arrived (or the run had already ended)
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof AgentFlowError && err.status === 401) {
        // The access token expired while the page was open: renew it once, then go on from `last`.
        if (!refreshed && (await refresh())) {
          refreshed = true;
          continue;
        }
        o.onError(describeError(err));
        sessionLost();
        return;
      }
      if (err instanceof AgentFlowError && err.status >= 400 && err.status < 500 && err.status !== 429) {
        // 403, 404, 422: asking again gives the same answer.
        o.onError(describeError(err));
        return;
      }
      o.onError(`Live updates are interrupted. Reconnecting… (${describeError(err)})`);
      await sleep(o.retryAfterErrorMs ?? RETRY_AFTER_ERROR_MS);
    }
  }
}

/**
 * The live events of one execution, reduced into its status and per-node state. Built on the SDK's
 * `executions.stream()` (stored events first, then live ones; each seq once). A dropped connection
 * is reopened with after = the last seq received, so nothing is lost or repeated; an expired access
 * token is refreshed once (lib/api) and the stream continues. `null` = no execution (idle).
 */
export function useExecutionStream(executionId: string | null): ExecutionStream {
  const [state, setState] = useState<ExecutionStreamState>(initialExecutionStreamState);
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  /** Open for a while with nothing to replay: the run has not started yet (queued). */
  const [quiet, setQuiet] = useState(false);

  useEffect(() => {
    setState(initialExecutionStreamState);
    setConnected(false);
    setError(undefined);
    setQuiet(false);
    if (!executionId) return;

    const abort = new AbortController();
    const { signal } = abort;
    let buffer: ExecutionEvent[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let quietTimer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      flushTimer = undefined;
      const batch = buffer;
      buffer = [];
      if (!signal.aborted && batch.length > 0) setState((s) => reduceExecutionEvents(s, batch));
    };

    void followExecution({
      executionId,
      signal,
      onEvent: (event) => {
        buffer.push(event);
        // Coalesce bursts (replay, token chunks) into one render per frame.
        flushTimer ??= setTimeout(flush, 16);
      },
      onOpen: () => {
        setConnected(true);
        setError(undefined);
        quietTimer ??= setTimeout(() => !signal.aborted && setQuiet(true), QUIET_MS);
      },
      onClose: () => setConnected(false),
      onError: (message) => !signal.aborted && setError(message),
    }).finally(() => {
      if (flushTimer) clearTimeout(flushTimer);
      flush();
      if (!signal.aborted) setConnected(false);
    });

    return () => {
      abort.abort();
      if (flushTimer) clearTimeout(flushTimer);
      if (quietTimer) clearTimeout(quietTimer);
    };
  }, [executionId]);

  return {
    events: state.events,
    status: state.status === 'connecting' && quiet ? 'pending' : state.status,
    nodes: state.nodes,
    connected,
    ...(error ? { error } : {}),
  };
}
