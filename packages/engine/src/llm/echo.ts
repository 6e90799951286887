import { sleep } from '../sleep';
import { pickMentioned, synthesize } from './echo-synth';
import type {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  LlmProvider,
  ToolCall,
} from './types';

/**
 * The offline "echo" model: clearly labelled ("[echo] ..."), free and deterministic, so a user with no
 * API key can try the product and tests can run graphs. It is never used implicitly when a real
 * provider is configured (see the router).
 *
 * - text: the last user message, prefixed with "[echo] " (plus a digest of tool results);
 * - `response_format` json_schema: an object built from the schema and the input (an enum picks the
 *   value the input mentions, else the first; `key: value` pairs, emails, URLs and numbers are found);
 * - tools: called when `tool_choice` demands it, or when the input says `tool:<name> {json args}`.
 */
export const ECHO_MODEL = 'echo';

export interface EchoOptions {
  /** Simulated latency per call (honours the abort signal); 0 by default. */
  latencyMs?: number;
}

export function createEchoProvider(opts: EchoOptions = {}): LlmProvider {
  return {
    name: 'echo',
    defaultModel: ECHO_MODEL,
    // Echo embeddings (bag of words) exist for offline RAG tries; the router prefers a real model.
    defaultEmbeddingModel: ECHO_MODEL,
    offline: true,
    supports: (model) => model === ECHO_MODEL,
    estimateCost: () => 0,
    async chat(req) {
      await sleep(opts.latencyMs ?? 0, req.signal);
      return echoChat(req);
    },
    async embed(req) {
      await sleep(opts.latencyMs ?? 0, req.signal);
      return echoEmbed(req);
    },
  };
}

function echoChat(req: ChatRequest): ChatResponse {
  const lastUserIndex = req.messages.findLastIndex((m) => m.role === 'user');
  const lastUser = req.messages[lastUserIndex]?.content ?? '';
  const after = req.messages.slice(lastUserIndex + 1);
  const toolsAnswered = after.some((m) => m.role === 'assistant' && (m.tool_calls?.length ?? 0) > 0);
  const input_tokens = req.messages.reduce((n, m) => n + tokens(m.content), 0);
  // Free, so the 0 is a known cost.
  const base = { input_tokens, cost: 0, cost_known: true, model: ECHO_MODEL, provider: 'echo' };

  if (req.tools?.length && !toolsAnswered) {
    const calls = toolCalls(req, lastUser);
    if (calls.length)
      return { ...base, content: '', tool_calls: calls, output_tokens: tokens(JSON.stringify(calls)) };
  }
  let content: string;
  if (req.response_format) content = JSON.stringify(synthesize(req.response_format.schema, lastUser));
  else {
    const results = after.filter((m): m is Extract<ChatMessage, { role: 'tool' }> => m.role === 'tool');
    content = `[echo] ${lastUser}`;
    if (results.length) {
      content += `\n\nTool results:\n${results.map((r) => `- ${r.name}: ${r.content.slice(0, 500)}`).join('\n')}`;
    }
  }
  if (req.onToken) for (const chunk of content.match(/\S+\s*/g) ?? []) req.onToken(chunk);
  return { ...base, content, tool_calls: [], output_tokens: tokens(content) };
}

const directive = /tool:([A-Za-z][\w-]*)(?:[ \t]*(\{[^\n]*\}))?/g;

function toolCalls(req: ChatRequest, text: string): ToolCall[] {
  const tools = req.tools ?? [];
  const calls: ToolCall[] = [];
  for (const m of text.matchAll(directive)) {
    const tool = tools.find((t) => t.name === m[1]);
    if (!tool) continue;
    calls.push({
      id: `echo_call_${calls.length + 1}`,
      name: tool.name,
      arguments: { ...argsFor(tool, text), ...parseArgs(m[2]) },
    });
  }
  const choice = req.tool_choice ?? 'auto';
  if (calls.length || choice === 'auto') return calls;
  const name =
    typeof choice === 'object'
      ? choice.name
      : (pickMentioned(
          tools.map((t) => t.name),
          text,
        ) ?? tools[0]?.name);
  const tool = tools.find((t) => t.name === name);
  return tool ? [{ id: 'echo_call_1', name: tool.name, arguments: argsFor(tool, text) }] : [];
}

function argsFor(tool: NonNullable<ChatRequest['tools']>[number], text: string): Record<string, unknown> {
  const args = synthesize(tool.parameters, text);
  return args !== null && typeof args === 'object' && !Array.isArray(args)
    ? (args as Record<string, unknown>)
    : {};
}

function parseArgs(json: string | undefined): Record<string, unknown> {
  if (!json) return {};
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A bag-of-words hashing embedding: similar texts get similar vectors, enough for RAG tests. */
function echoEmbed(req: EmbedRequest): EmbedResponse {
  const dims = req.dimensions ?? 1536;
  const vectors = req.texts.map((text) => {
    const v = new Array<number>(dims).fill(0);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      const h = fnv1a(word);
      v[h % dims] = (v[h % dims] ?? 0) + ((h >>> 16) & 1 ? 1 : -1);
    }
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  });
  return {
    vectors,
    input_tokens: req.texts.reduce((n, t) => n + tokens(t), 0),
    cost: 0,
    cost_known: true,
    model: ECHO_MODEL,
  };
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** ~4 characters per token: the usual rough estimate, good enough for an offline model. */
function tokens(text: string): number {
  return Math.ceil(text.length / 4);
}
