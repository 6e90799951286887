import type { ExecutionEvent } from '@agentflow/contracts';
import { asSystem } from '@agentflow/db';
import { executions } from '@agentflow/db/schema';
import type { EventBus, MessageHandler } from '@agentflow/queue';
import { createRecorder } from '@agentflow/services';
import { eq } from 'drizzle-orm';
import WebSocket from 'ws';
import type { App } from '../../app';
import { createAgentAs } from '../agents/test-fixtures';
import type { TestMember } from '../org/test-fixtures';

type Recorder = ReturnType<typeof createRecorder>;
type Emit = Parameters<Parameters<Recorder['write']>[0]>[1];

/**
 * Test-only helpers for the execution stream suites: a real `ws` client, and executions whose events
 * the test writes itself through the production recorder (stored in Postgres, then published on the
 * app's bus), so a test decides exactly when each event exists and whether it is published.
 */

export interface StreamClient {
  socket: WebSocket;
  /** Every message received, parsed. */
  events: ExecutionEvent[];
  /** Resolves once the handshake succeeded. */
  opened: Promise<void>;
  /** Resolves with the close code and reason (1006 when the connection dropped without a close frame). */
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once `count` events have arrived (rejects after `ms`). */
  waitForEvents(count: number, ms?: number): Promise<ExecutionEvent[]>;
}

export interface StreamOptions {
  after?: number | string;
  headers?: Record<string, string>;
  protocols?: string[];
  autoPong?: boolean;
  /** Raw query string instead of `after` (e.g. `access_token=...`). */
  query?: string;
}

export function streamUrl(baseUrl: string, id: string, options: StreamOptions = {}): string {
  const url = new URL(`/api/v1/executions/${id}/stream`, baseUrl.replace(/^http/, 'ws'));
  if (options.query !== undefined) url.search = options.query;
  else if (options.after !== undefined) url.searchParams.set('after', String(options.after));
  return url.toString();
}

/** Opens the stream with the `ws` client. */
export function openStream(baseUrl: string, id: string, options: StreamOptions = {}): StreamClient {
  const socket = new WebSocket(streamUrl(baseUrl, id, options), options.protocols ?? [], {
    headers: options.headers ?? {},
    autoPong: options.autoPong ?? true,
  });
  const events: ExecutionEvent[] = [];
  const listeners = new Set<() => void>();
  socket.on('message', (data) => {
    events.push(JSON.parse(String(data)) as ExecutionEvent);
    for (const listener of listeners) listener();
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  opened.catch(() => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.once('close', (code, reason) => {
      for (const listener of listeners) listener();
      resolve({ code, reason: String(reason) });
    });
  });
  return {
    socket,
    events,
    opened,
    closed,
    waitForEvents(count, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`got ${events.length} of ${count} events: ${JSON.stringify(seqs(events))}`));
        }, ms);
        function check() {
          if (events.length >= count) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve(events.slice(0, count));
          } else if (socket.readyState === WebSocket.CLOSED) {
            clearTimeout(timer);
            listeners.delete(check);
            reject(
              new Error(`closed after ${events.length} of ${count} events: ${JSON.stringify(seqs(events))}`),
            );
          }
        }
        listeners.add(check);
        check();
      });
    },
  };
}

/** What the server answered instead of upgrading: the status and the parsed error envelope. */
export function rejectedUpgrade(
  baseUrl: string,
  id: string,
  options: StreamOptions = {},
): Promise<{
  status: number;
  body: { error: { code: string; message: string; details: Record<string, unknown> } };
}> {
  const socket = new WebSocket(streamUrl(baseUrl, id, options), options.protocols ?? [], {
    headers: options.headers ?? {},
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        socket.terminate();
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(body) });
      });
    });
    socket.once('error', (err) => {
      if (!String(err.message).startsWith('Unexpected server response')) reject(err);
    });
  });
}

export const seqs = (events: { seq: number }[]) => events.map((e) => e.seq);
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A draft agent of `owner`'s org and one `running` execution of it (no worker touches it). */
export async function seedRunningExecution(app: App, owner: TestMember): Promise<string> {
  const agent = await createAgentAs(app, owner, { template: 'starter' });
  return asSystem(app.authDeps.db, 'test fixture: an execution the test drives', async (tx) => {
    const [row] = await tx
      .insert(executions)
      .values({
        orgId: owner.orgId,
        agentId: agent.id,
        status: 'running',
        triggeredBy: 'api',
        startedAt: new Date(),
      })
      .returning({ id: executions.id });
    return row!.id;
  });
}

export interface DrivenExecution {
  /** Stores `count` step events (and publishes them when `publish`). */
  steps(count: number, options?: { publish?: boolean }): Promise<void>;
  /** Moves the execution to `status` and stores its event, as the runtime does at the end of a run. */
  end(status: 'completed' | 'failed' | 'waiting_approval', options?: { publish?: boolean }): Promise<void>;
  /** Highest seq stored. */
  readonly seq: number;
}

/**
 * Writes an execution's events through the production recorder: each write is stored (gap-free seq)
 * and then published on `bus`, unless `publish: false` (a message lost in pub/sub).
 */
export function driveExecution(app: App, orgId: string, executionId: string, bus: EventBus): DrivenExecution {
  let seq = 0;
  let step = 0;
  const recorder = (publish: boolean): Recorder =>
    createRecorder({
      db: app.authDeps.db,
      orgId,
      executionId,
      lastSeq: seq,
      events: publish ? bus : undefined,
    });
  async function write(publish: boolean, work: (emit: Emit) => void): Promise<void> {
    const r = recorder(publish);
    await r.write(async (_tx, emit) => work(emit));
    seq = r.seq;
  }
  return {
    async steps(count, options = {}) {
      for (let i = 0; i < count; i++) {
        step += 1;
        await write(options.publish ?? true, (emit) => emit('step.started', { node_id: `n${step}` }));
      }
    },
    async end(status, options = {}) {
      const r = recorder(options.publish ?? true);
      await r.write(async (tx, emit) => {
        await tx
          .update(executions)
          .set({ status, ...(status === 'waiting_approval' ? {} : { completedAt: new Date() }) })
          .where(eq(executions.id, executionId));
        emit(`execution.${status}`, { status });
      });
      seq = r.seq;
    },
    get seq() {
      return seq;
    },
  };
}

/**
 * The app's real bus, counting live subscriptions per channel so a test can prove each closed stream
 * let go of its channel (a spy: every call goes to `inner`).
 */
export class CountingEventBus implements EventBus {
  private readonly counts = new Map<string, number>();
  constructor(private readonly inner: EventBus) {}
  get kind() {
    return this.inner.kind;
  }
  subscribers(channel: string): number {
    return this.counts.get(channel) ?? 0;
  }
  publish(channel: string, message: string) {
    return this.inner.publish(channel, message);
  }
  async subscribe(channel: string, handler: MessageHandler) {
    const leave = await this.inner.subscribe(channel, handler);
    this.counts.set(channel, this.subscribers(channel) + 1);
    let left = false;
    return async () => {
      if (!left) {
        left = true;
        this.counts.set(channel, this.subscribers(channel) - 1);
      }
      await leave();
    };
  }
  close() {
    return this.inner.close();
  }
}
