import { isRecord } from './fake-http';

/**
 * The request rules of the real chat completions API that a mapping bug would break, with the API's
 * own wording where it is known. The fake answers 400 `invalid_request_error` when one fails, so a
 * provider that passes against the fake does not fail on them against OpenAI.
 */
export function chatRequestProblem(body: unknown): string | null {
  if (!isRecord(body)) return 'We could not parse the JSON body of your request.';
  if (typeof body.model !== 'string' || !body.model) return 'you must provide a model parameter';
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    return "Invalid 'messages': empty array. Expected an array with minimum length 1.";
  const reasoning = /^(?:o\d|gpt-5)/.test(body.model);
  if (reasoning && body.max_tokens !== undefined) {
    return "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.";
  }
  if (reasoning && body.temperature !== undefined && body.temperature !== 1) {
    return "Unsupported value: 'temperature' does not support this value with this model. Only the default (1) value is supported.";
  }
  if (body.stream_options !== undefined && body.stream !== true) {
    return "The 'stream_options' parameter is only allowed when 'stream' is enabled.";
  }
  const tools = Array.isArray(body.tools) ? body.tools : [];
  if (body.tool_choice !== undefined && tools.length === 0) {
    return "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.";
  }
  for (const tool of tools) {
    if (
      !isRecord(tool) ||
      tool.type !== 'function' ||
      !isRecord(tool.function) ||
      typeof tool.function.name !== 'string'
    ) {
      return "Invalid 'tools': each tool needs type 'function' and function.name.";
    }
  }
  const format = body.response_format;
  if (isRecord(format) && format.type === 'json_schema') {
    const spec = format.json_schema;
    if (!isRecord(spec) || typeof spec.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(spec.name)) {
      return "Invalid 'response_format.json_schema.name': must match ^[a-zA-Z0-9_-]{1,64}$.";
    }
  }
  return toolPairingProblem(messages);
}

/** Every tool message answers a call of the assistant turn before it, and every call is answered. */
function toolPairingProblem(messages: unknown[]): string | null {
  let open = new Set<string>();
  for (const m of messages) {
    if (!isRecord(m)) return "Invalid 'messages': each message must be an object.";
    if (m.role === 'tool') {
      if (typeof m.tool_call_id !== 'string' || !open.has(m.tool_call_id)) {
        return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
      }
      open.delete(m.tool_call_id);
      continue;
    }
    if (open.size) {
      return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
    }
    if (!['system', 'developer', 'user', 'assistant'].includes(String(m.role)))
      return `Invalid value: '${String(m.role)}'.`;
    if (m.role === 'assistant' && Array.isArray(m.tool_calls)) {
      open = new Set(m.tool_calls.map((c) => (isRecord(c) ? String(c.id) : '')));
    }
  }
  if (open.size)
    return "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'.";
  return null;
}
