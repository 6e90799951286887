import { fakeEmbedding, toBase64Float32 } from './fake-embeddings';
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
  toolArgumentsText,
  wait,
} from './fake-http';
import { chatRequestProblem } from './fake-openai-rules';
import type { FakeReply, RecordedRequest } from './fake-reply';

export interface FakeOpenAiOptions {
  /** When set, requests must carry it (`Authorization: Bearer` or Azure's `api-key`), else 401. */
  apiKey?: string;
  /** Inputs allowed per embeddings request (OpenAI: 2048); lower it to exercise batching. */
  maxEmbeddingInputs?: number;
}

export interface FakeOpenAi extends FakeServer {
  /** Script the next embeddings answers (failures and delays; vectors are always computed). */
  enqueueEmbeddings(...replies: FakeReply[]): void;
}

/**
 * A fake OpenAI API on 127.0.0.1 for the official SDK: `POST …/chat/completions` (JSON or SSE with
 * `data: [DONE]`, tool-call deltas and the `include_usage` chunk), `POST …/embeddings` (deterministic
 * vectors, float or base64), `GET …/models`. Any path prefix works, so Azure's
 * `/openai/deployments/<name>/chat/completions?api-version=…` is served too. `url` ends in `/v1`.
 */
export async function startFakeOpenAi(opts: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const chat = new ReplyQueue((req) => {
    const body = isRecord(req.body) ? req.body : {};
    return isRecord(body.response_format) && body.response_format.type === 'json_schema'
      ? { json: {} }
      : { text: `[fake] ${lastUserText(body.messages)}` };
  });
  const embeddings = new ReplyQueue(() => ({}));
  let sequence = 0;

  const server = await listen(async (ctx) => {
    const { request } = ctx;
    const id = ++sequence;
    const headers = { 'x-request-id': `req_fake_${id}` };
    if (opts.apiKey && !authorized(request, opts.apiKey)) {
      const sent =
        request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? request.headers['api-key'] ?? '';
      // The real API echoes (a masked form of) the key it got: echo it whole, to prove redaction.
      return sendJson(
        ctx.res,
        401,
        errorBody(`Incorrect API key provided: ${sent}.`, 'invalid_request_error', 'invalid_api_key'),
        headers,
      );
    }
    if (request.method === 'POST' && request.path.endsWith('/chat/completions')) {
      return answerChat(ctx, chat.next(request), id, headers);
    }
    if (request.method === 'POST' && request.path.endsWith('/embeddings')) {
      return answerEmbeddings(ctx, embeddings.next(request), opts.maxEmbeddingInputs ?? 2048, headers);
    }
    if (request.method === 'GET' && request.path.endsWith('/models')) {
      return sendJson(ctx.res, 200, {
        object: 'list',
        data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'fake' }],
      });
    }
    sendJson(
      ctx.res,
      404,
      errorBody(`Invalid URL (${request.method} ${request.path})`, 'invalid_request_error'),
      headers,
    );
  });

  return {
    url: `${server.origin}/v1`,
    requests: server.requests,
    enqueue: (...replies) => chat.enqueue(replies),
    enqueueEmbeddings: (...replies) => embeddings.enqueue(replies),
    respondWith: (responder) => chat.respondWith(responder),
    reset() {
      chat.reset();
      embeddings.reset();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

function authorized(request: RecordedRequest, key: string): boolean {
  return request.headers.authorization === `Bearer ${key}` || request.headers['api-key'] === key;
}

function errorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

/** Sends the reply's scripted failure, if it has one; true when it did. */
function failed(ctx: RouteContext, reply: FakeReply, headers: Record<string, string>): boolean {
  if (reply.status && reply.status >= 400) {
    const retry: Record<string, string> =
      reply.retryAfter === undefined
        ? {}
        : { 'retry-after': String(reply.retryAfter), 'retry-after-ms': String(reply.retryAfter * 1000) };
    const type =
      reply.errorType ??
      (reply.status === 429
        ? 'rate_limit_exceeded'
        : reply.status >= 500
          ? 'server_error'
          : 'invalid_request_error');
    const message = reply.errorMessage ?? `fake ${reply.status} error`;
    sendJson(ctx.res, reply.status, errorBody(message, type, reply.errorCode ?? null), {
      ...headers,
      ...retry,
      ...reply.headers,
    });
    return true;
  }
  return false;
}

async function answerChat(
  ctx: RouteContext,
  reply: FakeReply,
  id: number,
  headers: Record<string, string>,
): Promise<void> {
  const body = isRecord(ctx.request.body) ? ctx.request.body : {};
  const stream = body.stream === true;
  if (!(await wait(ctx, reply.delayMs))) return;
  const problem = chatRequestProblem(body);
  if (problem) return sendJson(ctx.res, 400, errorBody(problem, 'invalid_request_error'), headers);
  if (failed(ctx, reply, headers)) return;
  if (reply.rawBody !== undefined) {
    return sendRaw(ctx.res, reply.rawBody, stream ? 'text/event-stream' : 'application/json', headers);
  }

  const model = reply.model ?? String(body.model);
  const text = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
  const calls = (reply.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? `call_fake_${id}_${i + 1}`,
    type: 'function' as const,
    function: { name: c.name, arguments: toolArgumentsText(c.arguments) },
  }));
  const finish = reply.finishReason ?? (calls.length ? 'tool_calls' : 'stop');
  const prompt = reply.usage?.input ?? roughTokens(body.messages);
  const completion = reply.usage?.output ?? roughTokens(text + JSON.stringify(calls));
  const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  const base = {
    id: `chatcmpl-fake-${id}`,
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: 'fp_fake',
  };

  if (!stream) {
    const message = {
      role: 'assistant',
      content: reply.refusal ? null : text || (calls.length ? null : ''),
      refusal: reply.refusal ?? null,
      ...(calls.length ? { tool_calls: calls } : {}),
    };
    return sendJson(
      ctx.res,
      200,
      {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
        usage,
      },
      headers,
    );
  }

  const withUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): string =>
    JSON.stringify({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(withUsage ? { usage: null } : {}),
    });
  const events: SseEvent[] = [{ data: chunk({ role: 'assistant', content: '', refusal: null }) }];
  if (reply.refusal) events.push({ data: chunk({ refusal: reply.refusal }), content: true });
  for (const piece of pieces(text, reply.chunks))
    events.push({ data: chunk({ content: piece }), content: true });
  calls.forEach((call, index) => {
    events.push({
      data: chunk({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
        ],
      }),
      content: true,
    });
    // Arguments arrive in fragments: the assembler must concatenate them per index.
    for (const part of splitInTwo(call.function.arguments)) {
      events.push({ data: chunk({ tool_calls: [{ index, function: { arguments: part } }] }), content: true });
    }
  });
  events.push({ data: chunk({}, finish) });
  if (withUsage)
    events.push({ data: JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage }) });
  events.push({ data: '[DONE]' });
  const error = {
    data: JSON.stringify(
      errorBody(
        reply.errorMessage ?? 'The server had an error while processing your request.',
        reply.errorType ?? 'server_error',
      ),
    ),
  };
  await streamEvents(ctx, reply, events, error, headers);
}

async function answerEmbeddings(
  ctx: RouteContext,
  reply: FakeReply,
  maxInputs: number,
  headers: Record<string, string>,
): Promise<void> {
  const body = isRecord(ctx.request.body) ? ctx.request.body : {};
  if (!(await wait(ctx, reply.delayMs))) return;
  const inputs =
    typeof body.input === 'string'
      ? [body.input]
      : Array.isArray(body.input)
        ? body.input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
        : [];
  const model = String(body.model ?? '');
  const problem = !model
    ? 'you must provide a model parameter'
    : inputs.length === 0
      ? "'$.input' is invalid. Please check the API reference."
      : inputs.length > maxInputs
        ? `'$.input' is invalid: at most ${maxInputs} inputs per request.`
        : body.dimensions !== undefined && model === 'text-embedding-ada-002'
          ? 'This model does not support specifying dimensions.'
          : null;
  if (problem) return sendJson(ctx.res, 400, errorBody(problem, 'invalid_request_error'), headers);
  if (failed(ctx, reply, headers)) return;
  const dimensions =
    typeof body.dimensions === 'number' ? body.dimensions : model.includes('large') ? 3072 : 1536;
  const base64 = body.encoding_format === 'base64';
  const data = inputs.map((text, index) => {
    const vector = fakeEmbedding(text, dimensions);
    return { object: 'embedding', index, embedding: base64 ? toBase64Float32(vector) : vector };
  });
  const tokens = reply.usage?.input ?? inputs.reduce((n, t) => n + roughTokens(t), 0);
  sendJson(
    ctx.res,
    200,
    { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } },
    headers,
  );
}

function splitInTwo(text: string): string[] {
  const middle = Math.ceil(text.length / 2);
  return text.length > 1 ? [text.slice(0, middle), text.slice(middle)] : [text];
}
