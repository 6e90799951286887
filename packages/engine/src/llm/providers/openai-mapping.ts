import type OpenAI from 'openai';
import { LlmError } from '../errors';
import type { ChatMessage, ChatRequest, ToolCall } from '../types';
import { isStrictCompatible, parseToolArguments, safeName } from './shared';

type MessageParam = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type CreateParams = Omit<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, 'stream'>;
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

export interface RequestShape {
  /** Send `max_completion_tokens` (OpenAI, reasoning models) instead of the older `max_tokens`. */
  completionTokensParam: boolean;
  /** Reasoning models reject `temperature` other than the default. */
  temperature: boolean;
}

/** o1/o3/o4 and gpt-5: reasoning models with their own parameter rules. */
export function isReasoningModel(model: string): boolean {
  return /^(?:[\w.-]+\/)?(?:o\d|gpt-5)/i.test(model);
}

export function toOpenAiMessages(messages: ChatMessage[]): MessageParam[] {
  return messages.map((m): MessageParam => {
    switch (m.role) {
      case 'system':
      case 'user':
        return { role: m.role, content: m.content };
      case 'tool':
        return { role: 'tool', tool_call_id: m.tool_call_id, content: m.content };
      case 'assistant':
        if (!m.tool_calls?.length) return { role: 'assistant', content: m.content };
        return {
          role: 'assistant',
          // The API wants null rather than "" next to tool calls.
          content: m.content || null,
          tool_calls: m.tool_calls.map((c) => ({
            id: c.id,
            type: 'function' as const,
            function: { name: c.name, arguments: JSON.stringify(c.arguments) },
          })),
        };
    }
    return m satisfies never;
  });
}

/** Everything but `stream`: the body of a chat.completions request. */
export function toOpenAiParams(req: ChatRequest, shape: RequestShape): CreateParams {
  const params: CreateParams = { model: req.model, messages: toOpenAiMessages(req.messages) };
  if (req.tools?.length) {
    params.tools = req.tools.map((t) => ({
      type: 'function' as const,
      function: { name: t.name, description: t.description, parameters: { ...t.parameters } },
    }));
    if (req.tool_choice) {
      params.tool_choice =
        typeof req.tool_choice === 'object'
          ? { type: 'function', function: { name: req.tool_choice.name } }
          : req.tool_choice;
    }
  }
  if (req.response_format) {
    const { name, schema } = req.response_format;
    params.response_format = {
      type: 'json_schema',
      json_schema: {
        name: safeName(name, 'response'),
        schema: { ...schema },
        // Strict mode enforces the schema but refuses open ones; its root must be an object.
        strict: schema.type === 'object' && isStrictCompatible(schema),
      },
    };
  }
  if (req.temperature !== undefined && shape.temperature) params.temperature = req.temperature;
  if (req.max_tokens !== undefined) {
    if (shape.completionTokensParam) params.max_completion_tokens = req.max_tokens;
    else params.max_tokens = req.max_tokens;
  }
  return params;
}

export interface Assembled {
  content: string;
  tool_calls: ToolCall[];
  finish_reason: string | null;
  refusal: string | null;
  usage: { input: number; output: number } | null;
  model: string | null;
}

export function fromCompletion(provider: string, res: OpenAI.Chat.Completions.ChatCompletion): Assembled {
  const choice = res.choices[0];
  if (!choice) throw new LlmError('server', provider, 'the API returned no choices');
  const calls = (choice.message.tool_calls ?? []).flatMap((c) =>
    c.type === 'function'
      ? [
          {
            id: c.id,
            name: c.function.name,
            arguments: parseToolArguments(provider, c.function.name, c.function.arguments),
          },
        ]
      : [],
  );
  return {
    content: choice.message.content ?? '',
    tool_calls: calls,
    finish_reason: choice.finish_reason,
    refusal: choice.message.refusal ?? null,
    usage: res.usage ? { input: res.usage.prompt_tokens, output: res.usage.completion_tokens } : null,
    model: res.model || null,
  };
}

/**
 * Folds streamed chunks into one answer: text deltas go to `onToken` in order; tool calls arrive as
 * fragments keyed by `index` (id and name first, then argument text); usage comes in the last chunk
 * when `stream_options.include_usage` is set.
 */
export class StreamAssembler {
  private text = '';
  private refusal = '';
  private readonly calls = new Map<number, { id: string; name: string; args: string }>();
  private finish: string | null = null;
  private usage: Assembled['usage'] = null;
  private model: string | null = null;

  constructor(
    private readonly provider: string,
    private readonly onToken?: (chunk: string) => void,
  ) {}

  add(chunk: Chunk): void {
    if (chunk.model) this.model = chunk.model;
    if (chunk.usage) this.usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
    const choice = chunk.choices.find((c) => c.index === 0);
    if (!choice) return;
    const { delta } = choice;
    if (delta.content) {
      this.text += delta.content;
      this.onToken?.(delta.content);
    }
    if (delta.refusal) this.refusal += delta.refusal;
    for (const part of delta.tool_calls ?? []) {
      const call = this.calls.get(part.index) ?? { id: '', name: '', args: '' };
      if (part.id) call.id = part.id;
      if (part.function?.name) call.name += part.function.name;
      if (part.function?.arguments) call.args += part.function.arguments;
      this.calls.set(part.index, call);
    }
    if (choice.finish_reason) this.finish = choice.finish_reason;
  }

  result(): Assembled {
    // A stream cut off before its finish_reason is a failed call, not a short answer.
    if (!this.finish)
      throw new LlmError('connection', this.provider, 'the stream ended before the answer was complete');
    const tool_calls = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => ({
        id: c.id || `call_${index}`,
        name: c.name,
        arguments: parseToolArguments(this.provider, c.name, c.args),
      }));
    return {
      content: this.text,
      tool_calls,
      finish_reason: this.finish,
      refusal: this.refusal || null,
      usage: this.usage,
      model: this.model,
    };
  }
}
