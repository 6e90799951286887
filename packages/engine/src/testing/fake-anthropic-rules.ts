import { isRecord } from './fake-http';

/**
 * The Messages API rules a mapping bug would break (tool_use/tool_result pairing, declared tools,
 * non-empty text, required max_tokens), worded like the API. The fake answers 400
 * `invalid_request_error` when one fails.
 */
export function messagesRequestProblem(body: unknown): string | null {
  if (!isRecord(body)) return 'There was an issue with the formatting of your request body.';
  if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
  if (typeof body.max_tokens !== 'number' || body.max_tokens < 1) return 'max_tokens: Field required';
  for (const key of ['temperature', 'top_p', 'top_k']) {
    // API version 2026-10-21 (the SDK's) has no sampling parameters.
    if (key in body) return `${key}: Extra inputs are not permitted`;
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: at least one message is required';
  const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : [];
  for (const [i, tool] of tools.entries()) {
    if (typeof tool.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name))
      return `tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
    if (!isRecord(tool.input_schema) || tool.input_schema.type !== 'object')
      return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
  }
  const choice = body.tool_choice;
  if (choice !== undefined) {
    if (!tools.length) return 'tool_choice may only be specified while providing tools.';
    if (isRecord(choice) && choice.type === 'tool' && !tools.some((t) => t.name === choice.name)) {
      return `tool_choice.name: Tool '${String(choice.name)}' not found in provided tools`;
    }
  }
  return messagesProblem(messages, tools.length > 0);
}

function messagesProblem(messages: unknown[], hasTools: boolean): string | null {
  let pending: string[] = [];
  for (const [i, m] of messages.entries()) {
    if (!isRecord(m) || !['user', 'assistant', 'system'].includes(String(m.role)))
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    const blocks =
      typeof m.content === 'string'
        ? [{ type: 'text', text: m.content }]
        : Array.isArray(m.content)
          ? m.content
          : null;
    if (!blocks || blocks.length === 0)
      return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    const results: string[] = [];
    const uses: string[] = [];
    for (const block of blocks) {
      if (!isRecord(block)) return `messages.${i}.content: each block must be an object`;
      if (block.type === 'text' && !String(block.text ?? ''))
        return `messages.${i}: text content blocks must be non-empty`;
      if (block.type === 'tool_result') results.push(String(block.tool_use_id));
      if (block.type === 'tool_use') uses.push(String(block.id));
    }
    if ((results.length || uses.length) && !hasTools)
      return 'Requests which include `tool_use` or `tool_result` blocks must define tools.';
    const unexpected = results.filter((id) => !pending.includes(id));
    if (unexpected.length) {
      return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${unexpected.join(', ')}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
    const missing = pending.filter((id) => !results.includes(id));
    if (missing.length) {
      return `messages.${i - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
    pending = m.role === 'assistant' ? uses : [];
  }
  return null;
}
