import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  Tool,
  ToolChoice,
} from '@anthropic-ai/sdk/resources/messages';
import { LlmError } from '../errors';
import type { ChatRequest, ToolCall } from '../types';
import { asObject, safeName, toolCallNames } from './shared';

type Params = Omit<MessageCreateParamsNonStreaming, 'stream'>;
type Turn = { role: 'user' | 'assistant'; content: ContentBlockParam[] };

/** The tool that carries a `response_format` answer (Anthropic has no json_schema response format). */
export interface OutputTool {
  name: string;
  /** The schema is not an object (tool inputs must be): the answer sits in `{ value }`. */
  wrapped: boolean;
}

/**
 * System messages move to `system`; tool results become `tool_result` blocks of a user turn; adjacent
 * turns of one role merge (all results of one assistant turn must sit in the next user turn); empty
 * text blocks are dropped (the API rejects them).
 */
export function toAnthropicTurns(req: ChatRequest): { system: string; turns: Turn[] } {
  const system: string[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn['role'], blocks: ContentBlockParam[]) => {
    if (!blocks.length) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (const m of req.messages) {
    if (m.role === 'system') system.push(m.content);
    else if (m.role === 'user') push('user', m.content ? [{ type: 'text', text: m.content }] : []);
    else if (m.role === 'tool')
      push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id, content: m.content }]);
    else if (m.role === 'assistant') {
      const blocks: ContentBlockParam[] = m.content ? [{ type: 'text', text: m.content }] : [];
      for (const c of m.tool_calls ?? [])
        blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: c.arguments });
      push('assistant', blocks);
    }
  }
  return { system: system.join('\n\n'), turns };
}

export function toAnthropicParams(
  req: ChatRequest,
  maxTokens: number,
): { params: Params; output: OutputTool | null } {
  const { system, turns } = toAnthropicTurns(req);
  const tools: Tool[] = (req.tools ?? []).map((t) => ({
    name: t.name,
    description: t.description,
    input_schema: { ...t.parameters, type: 'object' },
  }));
  let toolChoice: ToolChoice | undefined =
    tools.length && req.tool_choice ? choice(req.tool_choice) : undefined;

  // A history with tool calls needs its tools declared, even on a last "answer without tools" turn.
  if (!tools.length) {
    const names = toolCallNames(req.messages);
    for (const name of names) {
      tools.push({ name, description: 'Not available in this turn.', input_schema: { type: 'object' } });
    }
    if (names.length) toolChoice = { type: 'none' };
  }

  let output: OutputTool | null = null;
  if (req.response_format) {
    const { schema } = req.response_format;
    const base = safeName(req.response_format.name, 'response');
    const name = tools.some((t) => t.name === base) ? `${base}_response`.slice(0, 64) : base;
    output = { name, wrapped: schema.type !== 'object' };
    tools.push({
      name,
      description:
        'Give your final answer by calling this tool: its input is the answer, as JSON matching the schema.',
      input_schema: output.wrapped
        ? { type: 'object', properties: { value: schema }, required: ['value'] }
        : { ...schema, type: 'object' },
    });
    // Alone, the answer tool is forced; next to real tools the model must call one of them (or the
    // tool the request names), so it can still act before answering.
    const real = req.tools?.length ?? 0;
    toolChoice = !real
      ? { type: 'tool', name }
      : typeof req.tool_choice === 'object'
        ? choice(req.tool_choice)
        : { type: 'any' };
  }

  const params: Params = { model: req.model, max_tokens: req.max_tokens ?? maxTokens, messages: turns };
  if (system) params.system = system;
  if (tools.length) params.tools = tools;
  if (toolChoice) params.tool_choice = toolChoice;
  return { params, output };
}

function choice(c: NonNullable<ChatRequest['tool_choice']>): ToolChoice {
  if (typeof c === 'object') return { type: 'tool', name: c.name };
  return c === 'required' ? { type: 'any' } : { type: 'auto' };
}

export interface AnthropicAnswer {
  content: string;
  tool_calls: ToolCall[];
  input_tokens: number;
  /** Input tokens weighted by cache pricing (writes 1.25x, reads 0.1x), for the cost. */
  billed_input_tokens: number;
  output_tokens: number;
}

export function fromAnthropicMessage(
  provider: string,
  msg: Message,
  output: OutputTool | null,
): AnthropicAnswer {
  if (msg.stop_reason === 'refusal')
    throw new LlmError('bad_output', provider, 'the model refused to answer');
  let text = '';
  let json: string | null = null;
  const tool_calls: ToolCall[] = [];
  for (const block of msg.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') {
      const input = asObject(provider, block.name, block.input);
      if (output && block.name === output.name) json = JSON.stringify(output.wrapped ? input.value : input);
      else tool_calls.push({ id: block.id, name: block.name, arguments: input });
    }
  }
  if (output && msg.stop_reason === 'max_tokens' && !tool_calls.length) {
    throw new LlmError('bad_output', provider, 'the JSON answer was cut off at max_tokens');
  }
  const usage = msg.usage;
  const written = usage.cache_creation_input_tokens ?? 0;
  const read = usage.cache_read_input_tokens ?? 0;
  return {
    content: json ?? text,
    tool_calls,
    input_tokens: usage.input_tokens + written + read,
    billed_input_tokens: usage.input_tokens + 1.25 * written + 0.1 * read,
    output_tokens: usage.output_tokens,
  };
}
