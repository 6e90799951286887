import {
  type ExecutionEvent,
  executionEventSchema,
  executionStreamCloseCodes,
  isTerminalExecutionEvent,
} from '@agentflow/contracts';
import { type EventBus, executionChannel } from '@agentflow/queue';
import { readExecutionEventsPage, type ServiceContext } from '@agentflow/services';
import type { WebSocket } from '@fastify/websocket';
import type { FastifyBaseLogger } from 'fastify';

/** Stored events read per query, for the replay and for filling a gap. */
export const REPLAY_PAGE_SIZE = 500;
/** A client this far behind (bytes queued in the server) is disconnected with 1013 to come back later. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface ExecutionStreamSession {
  socket: WebSocket;
  /** The caller's context: every read is scoped to their org. */
  ctx: ServiceContext;
  executionId: string;
  /** The last seq the client already has. */
  after: number;
  events: EventBus;
  pingIntervalMs: number;
  log: FastifyBaseLogger;
}

/**
 * Streams one execution's events to a WebSocket: each seq > `after` exactly once, in order, no gap.
 *
 * 1. Subscribe to the bus first, so nothing published from now on can be missed.
 * 2. Replay the stored events after `after` from Postgres, page by page.
 * 3. Forward live messages; any seq already sent is dropped. A live seq beyond last + 1 means messages
 *    were lost (pub/sub is at most once) or the replay has not reached it yet: the gap is re-read from
 *    Postgres before it is sent.
 *
 * Every step runs on one promise chain, so live messages that arrive during the replay simply wait for
 * it (that chain is the buffer). After a terminal event the socket closes with 1000; an execution that
 * had already ended closes as soon as everything after `after` is sent. Each keepalive tick also
 * re-reads Postgres past the last sent seq: a lost terminal message would otherwise leave the client
 * waiting forever. The bus subscription ends with the socket.
 */
export function runExecutionStream(session: ExecutionStreamSession): void {
  const { socket, ctx, executionId, events, log } = session;
  let last = session.after;
  let closed = false;
  let unsubscribe: (() => Promise<void>) | undefined;
  let chain: Promise<void> = Promise.resolve();
  let awaitingPong = false;

  const release = () => {
    const leave = unsubscribe;
    unsubscribe = undefined;
    leave?.().catch((err: unknown) => log.warn({ err, executionId }, 'execution stream: unsubscribe failed'));
  };

  const pinger = setInterval(() => {
    if (closed) return;
    if (awaitingPong) {
      log.info({ executionId }, 'execution stream: no pong within one ping interval; terminating');
      socket.terminate();
      return;
    }
    awaitingPong = true;
    socket.ping();
    enqueue(catchUp);
  }, session.pingIntervalMs);

  socket.on('pong', () => {
    awaitingPong = false;
  });
  socket.on('close', (code: number) => {
    closed = true;
    clearInterval(pinger);
    release();
    log.debug({ executionId, code, lastSeq: last }, 'execution stream closed');
  });

  function finish(code: number, reason: string): void {
    if (closed) return;
    closed = true;
    clearInterval(pinger);
    release();
    socket.close(code, reason);
  }

  function enqueue(step: () => Promise<void>): void {
    chain = chain
      .then(() => (closed ? undefined : step()))
      .catch((err: unknown) => {
        if (closed) return;
        log.error({ err, executionId, lastSeq: last }, 'execution stream failed');
        finish(executionStreamCloseCodes.internalError, 'stream failed; reconnect with after=<last seq>');
      });
  }

  /** Sends one event; `flush` waits until it has left the process (paces the replay). */
  async function send(event: ExecutionEvent, flush: boolean): Promise<void> {
    last = event.seq;
    const data = JSON.stringify({
      execution_id: event.execution_id,
      seq: event.seq,
      type: event.type,
      payload: event.payload,
      created_at: event.created_at,
    });
    if (flush) {
      await new Promise<void>((resolve, reject) => {
        socket.send(data, (err) => (err ? reject(err) : resolve()));
      });
    } else {
      socket.send(data);
    }
    if (isTerminalExecutionEvent(event.type)) {
      finish(executionStreamCloseCodes.done, 'execution ended');
    } else if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      finish(executionStreamCloseCodes.tryAgainLater, 'client too slow; reconnect with after=<last seq>');
    }
  }

  /** Sends every stored event after `last`; closes with 1000 when the execution had ended. */
  async function catchUp(): Promise<void> {
    for (;;) {
      const page = await readExecutionEventsPage(ctx, executionId, last, REPLAY_PAGE_SIZE);
      for (const event of page.events) {
        if (closed) return;
        await send(event, true);
      }
      if (closed) return;
      if (page.events.length < REPLAY_PAGE_SIZE) {
        if (page.ended) finish(executionStreamCloseCodes.done, 'execution ended');
        return;
      }
    }
  }

  async function deliverLive(event: ExecutionEvent): Promise<void> {
    if (event.seq <= last) return;
    if (event.seq > last + 1) await catchUp();
    if (closed || event.seq <= last) return;
    if (event.seq !== last + 1) {
      // Postgres commits an event before it is published, so the re-read must have reached it.
      throw new Error(`live seq ${event.seq} is still ahead of the stored events (last sent ${last})`);
    }
    await send(event, false);
  }

  function onMessage(message: string): void {
    const event = parseEvent(message, executionId);
    if (!event) {
      log.warn({ executionId }, 'execution stream: ignoring a malformed bus message');
      return;
    }
    enqueue(() => deliverLive(event));
  }

  const subscribing = events.subscribe(executionChannel(executionId), onMessage);
  subscribing.then(
    (leave) => {
      unsubscribe = leave;
      if (closed) {
        release();
        return;
      }
      log.debug({ executionId, after: last }, 'execution stream open');
      // Messages that arrived while subscribing are already queued; they are either the next seq or
      // trigger the same re-read, so the order stays exact.
      enqueue(catchUp);
    },
    (err: unknown) => {
      log.error({ err, executionId }, 'execution stream: cannot subscribe to the event bus');
      finish(executionStreamCloseCodes.internalError, 'event bus unavailable; reconnect');
    },
  );
}

function parseEvent(message: string, executionId: string): ExecutionEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    return undefined;
  }
  const parsed = executionEventSchema.safeParse(raw);
  return parsed.success && parsed.data.execution_id === executionId ? parsed.data : undefined;
}
