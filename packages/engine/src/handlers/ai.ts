import { type NodeConfig, nodeCatalog, type SimpleJsonSchema } from '@agentflow/contracts';
import { validateJson } from '../json-schema';
import { pickMentioned } from '../llm/echo-synth';
import { LlmError } from '../llm/errors';
import type { ChatMessage, ChatRequest, ChatResponse } from '../llm/types';
import { stringify } from '../variables/resolve';
import { tokenStream } from './streaming';
import { defineHandler, type HandlerContext, type HandlerResult, type NodeHandler } from './types';

type AiBase = NodeConfig<'ai', 'chat'>;

/** Provider calls get two minutes per attempt unless the node says otherwise. */
const llmTimeoutMs = 120_000;
/** Seed 004 §5.5: up to 3 retries, 2 s base, exponential, capped at 60 s. */
const llmRetry = { max_attempts: 4, base_delay_ms: 2000, factor: 2, max_delay_ms: 60_000 };

async function callModel(
  ctx: HandlerContext<AiBase>,
  system: string | undefined,
  extra: Partial<ChatRequest> = {},
): Promise<ChatResponse> {
  const { config } = ctx;
  const messages: ChatMessage[] = [];
  if (system) messages.push({ role: 'system', content: system });
  // A whole-string template may resolve to an object: the model gets its JSON.
  messages.push({ role: 'user', content: stringify(config.user_prompt) });
  return ctx.services.llm.chat({
    ...(config.model ? { model: config.model } : {}),
    messages,
    temperature: config.temperature,
    max_tokens: config.max_tokens,
    signal: ctx.signal,
    // Retries of the whole step are the node runner's: it emits their `llm.restart` itself.
    ...tokenStream(ctx.emit).request,
    ...extra,
  });
}

function usage(res: ChatResponse): Pick<HandlerResult, 'tokens' | 'cost' | 'cost_known'> {
  return {
    tokens: { input: res.input_tokens, output: res.output_tokens },
    cost: res.cost,
    cost_known: res.cost_known,
  };
}

function joinPrompts(...parts: Array<string | undefined>): string | undefined {
  const text = parts.filter((p) => p?.trim()).join('\n\n');
  return text || undefined;
}

/** Models sometimes wrap JSON in a ```json fence. */
function parseJson(content: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(content);
  return JSON.parse((fenced?.[1] ?? content).trim());
}

const common = { defaultTimeoutMs: llmTimeoutMs, defaultRetry: llmRetry } as const;

export const aiChatHandler = defineHandler({
  type: 'ai',
  subtype: 'chat',
  configSchema: nodeCatalog.ai.chat.configSchema,
  ...common,
  async run(ctx) {
    const res = await callModel(ctx, ctx.config.system_prompt);
    return { output: { text: res.content, model: res.model }, ...usage(res) };
  },
});

export const aiSummarizeHandler = defineHandler({
  type: 'ai',
  subtype: 'summarize',
  configSchema: nodeCatalog.ai.summarize.configSchema,
  ...common,
  async run(ctx) {
    const length = ctx.config.max_words ? `Use at most ${ctx.config.max_words} words.` : undefined;
    const system = joinPrompts(
      'Summarize the text faithfully and concisely.',
      length,
      ctx.config.system_prompt,
    );
    const res = await callModel(ctx, system);
    return { output: { text: res.content, model: res.model }, ...usage(res) };
  },
});

export const aiClassifyHandler = defineHandler({
  type: 'ai',
  subtype: 'classify',
  configSchema: nodeCatalog.ai.classify.configSchema,
  ...common,
  async run(ctx) {
    const { labels } = ctx.config;
    const schema: SimpleJsonSchema = {
      type: 'object',
      properties: { label: { type: 'string', enum: labels } },
      required: ['label'],
    };
    const system = joinPrompts(
      `Classify the input into exactly one of these labels: ${labels.join(', ')}. Answer with JSON {"label": "<label>"}.`,
      ctx.config.system_prompt,
    );
    const res = await callModel(ctx, system, {
      response_format: { type: 'json_schema', name: 'classification', schema },
    });
    let label: string | undefined;
    try {
      const parsed = parseJson(res.content) as { label?: unknown };
      if (typeof parsed.label === 'string' && labels.includes(parsed.label)) label = parsed.label;
    } catch {
      // Not JSON: fall back to the label the answer mentions.
    }
    label ??= pickMentioned(labels, res.content);
    if (!label)
      throw new LlmError(
        'bad_output',
        res.provider,
        `the answer names none of the labels: ${res.content.slice(0, 200)}`,
      );
    return { output: { label, text: res.content, model: res.model }, branch: label, ...usage(res) };
  },
});

export const aiExtractHandler = defineHandler({
  type: 'ai',
  subtype: 'extract',
  configSchema: nodeCatalog.ai.extract.configSchema,
  ...common,
  async run(ctx) {
    const schema = ctx.config.json_schema;
    const system = joinPrompts(
      `Extract the data as one JSON object matching this JSON Schema, and answer with the JSON only:\n${JSON.stringify(schema)}`,
      ctx.config.system_prompt,
    );
    const res = await callModel(ctx, system, {
      response_format: { type: 'json_schema', name: 'extraction', schema },
    });
    let data: unknown;
    try {
      data = parseJson(res.content);
    } catch {
      throw new LlmError('bad_output', res.provider, `the answer is not JSON: ${res.content.slice(0, 200)}`);
    }
    const problems = validateJson(schema, data);
    if (problems.length)
      throw new LlmError(
        'bad_output',
        res.provider,
        `the JSON does not match the schema: ${problems.join('; ')}`,
      );
    return { output: { data, text: res.content, model: res.model }, ...usage(res) };
  },
});

export const aiHandlers: NodeHandler[] = [
  aiChatHandler,
  aiSummarizeHandler,
  aiClassifyHandler,
  aiExtractHandler,
];
