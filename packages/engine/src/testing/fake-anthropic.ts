import { messagesRequestProblem } from './fake-anthropic-rules';
import {
  type FakeServer,
  isRecord,
  lastUserText,
  listen,
  pieces,
  ReplyQueue,
  type RouteContext,
  roughTokens,
  type SseEvent,
  sendJson,
  sendRaw,
  streamEvents,
  wait,
} from './fake-http';
import type { FakeReply } from './fake-reply';

export interface FakeAnthropicOptions {
  /** When set, requests must carry it (`x-api-key` or `Authorization: Bearer`), else 401. */
  apiKey?: string;
}

export type FakeAnthropic = FakeServer;

type Block =
  | { type: 'text'; text: string; citations: null }
  | { type: 'tool_use'; id: string; name: string; input: unknown; caller: { type: 'direct' } };

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

/**
 * A fake Anthropic Messages API on 127.0.0.1 for the official SDK: `POST /v1/messages` as JSON or as
 * SSE `event:`/`data:` pairs (message_start, content_block_start/delta/stop with text_delta and
 * input_json_delta, message_delta with usage, message_stop, ping, error), `GET /v1/models`.
 */
export async function startFakeAnthropic(opts: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const queue = new ReplyQueue((req) => {
    const body = isRecord(req.body) ? req.body : {};
    return isRecord(body.tool_choice) && body.tool_choice.type === 'tool'
      ? { json: {} }
      : { text: `[fake] ${lastUserText(body.messages)}` };
  });
  let sequence = 0;

  const server = await listen(async (ctx) => {
    const { request, res } = ctx;
    const id = ++sequence;
    const headers = { 'request-id': `req_fake_${id}` };
    const sent = request.headers['x-api-key'] ?? request.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (opts.apiKey && sent !== opts.apiKey)
      return sendJson(res, 401, errorBody('authentication_error', 'invalid x-api-key', id), headers);
    if (!request.headers['anthropic-version']) {
      return sendJson(
        res,
        400,
        errorBody('invalid_request_error', 'anthropic-version: header is required', id),
        headers,
      );
    }
    if (request.method === 'POST' && request.path === '/v1/messages')
      return answer(ctx, queue.next(request), id, headers);
    if (request.method === 'GET' && request.path === '/v1/models') {
      return sendJson(res, 200, {
        data: [{ type: 'model', id: 'claude-sonnet-4-6', display_name: 'Claude Sonnet 4.6' }],
        has_more: false,
      });
    }
    sendJson(
      res,
      404,
      errorBody('not_found_error', `Not found: ${request.method} ${request.path}`, id),
      headers,
    );
  });

  return {
    url: server.origin,
    requests: server.requests,
    enqueue: (...replies) => queue.enqueue(replies),
    respondWith: (responder) => queue.respondWith(responder),
    reset() {
      queue.reset();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

function errorBody(type: string, message: string, id: number) {
  return { type: 'error', error: { type, message }, request_id: `req_fake_${id}` };
}

async function answer(
  ctx: RouteContext,
  reply: FakeReply,
  id: number,
  headers: Record<string, string>,
): Promise<void> {
  const body = isRecord(ctx.request.body) ? ctx.request.body : {};
  const stream = body.stream === true;
  if (!(await wait(ctx, reply.delayMs))) return;
  const problem = messagesRequestProblem(body);
  if (problem) return sendJson(ctx.res, 400, errorBody('invalid_request_error', problem, id), headers);
  if (reply.status && reply.status >= 400) {
    const type =
      reply.errorType ??
      errorTypes[reply.status] ??
      (reply.status >= 500 ? 'api_error' : 'invalid_request_error');
    const retry: Record<string, string> =
      reply.retryAfter === undefined ? {} : { 'retry-after': String(reply.retryAfter) };
    const message = reply.errorMessage ?? `fake ${reply.status} error`;
    return sendJson(ctx.res, reply.status, errorBody(type, message, id), {
      ...headers,
      ...retry,
      ...reply.headers,
    });
  }
  if (reply.rawBody !== undefined) {
    return sendRaw(ctx.res, reply.rawBody, stream ? 'text/event-stream' : 'application/json', headers);
  }

  const content = blocks(body, reply, id);
  const stopReason =
    reply.finishReason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
  const input = reply.usage?.input ?? roughTokens([body.system, body.messages]);
  const output = reply.usage?.output ?? roughTokens(content);
  const usage = {
    input_tokens: input,
    output_tokens: output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  const message = {
    id: `msg_fake_${id}`,
    type: 'message',
    role: 'assistant',
    model: reply.model ?? String(body.model),
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage,
  };
  if (!stream) return sendJson(ctx.res, 200, message, headers);

  const event = (type: string, data: Record<string, unknown>, isContent = false): SseEvent => ({
    event: type,
    data: JSON.stringify({ type, ...data }),
    content: isContent,
  });
  const events: SseEvent[] = [
    event('message_start', {
      message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
    }),
    event('ping', {}),
  ];
  content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(event('content_block_start', { index, content_block: { ...block, text: '' } }));
      for (const piece of pieces(block.text, reply.chunks)) {
        events.push(
          event('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }, true),
        );
      }
    } else {
      events.push(event('content_block_start', { index, content_block: { ...block, input: {} } }));
      // Partial JSON in arbitrary slices, as the API sends it: the SDK must join them.
      for (const part of slices(JSON.stringify(block.input), 8)) {
        events.push(
          event(
            'content_block_delta',
            { index, delta: { type: 'input_json_delta', partial_json: part } },
            true,
          ),
        );
      }
    }
    events.push(event('content_block_stop', { index }));
  });
  events.push(
    event('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: output },
    }),
  );
  events.push(event('message_stop', {}));
  const error = event('error', {
    error: { type: reply.errorType ?? 'overloaded_error', message: reply.errorMessage ?? 'Overloaded' },
  });
  await streamEvents(ctx, reply, events, error, headers);
}

/** Text first, then tool calls, then the JSON answer as the forced (or last declared) tool's input. */
function blocks(body: Record<string, unknown>, reply: FakeReply, id: number): Block[] {
  const out: Block[] = [];
  if (reply.text) out.push({ type: 'text', text: reply.text, citations: null });
  for (const [i, call] of (reply.toolCalls ?? []).entries()) {
    const input = typeof call.arguments === 'string' ? parseOrKeep(call.arguments) : call.arguments;
    out.push({
      type: 'tool_use',
      id: call.id ?? `toolu_fake_${id}_${i + 1}`,
      name: call.name,
      input,
      caller: { type: 'direct' },
    });
  }
  if (reply.json !== undefined) {
    const choice = isRecord(body.tool_choice) ? body.tool_choice : {};
    const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : [];
    const name =
      choice.type === 'tool' ? choice.name : choice.type === 'any' ? tools.at(-1)?.name : undefined;
    if (typeof name === 'string')
      out.push({
        type: 'tool_use',
        id: `toolu_fake_${id}_json`,
        name,
        input: reply.json,
        caller: { type: 'direct' },
      });
    else out.push({ type: 'text', text: JSON.stringify(reply.json), citations: null });
  }
  return out;
}

function parseOrKeep(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function slices(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
