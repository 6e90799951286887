import { type NodeConfig, nodeCatalog } from '@agentflow/contracts';
import { pickMentioned } from '../llm/echo-synth';
import type { ChatMessage, ChatRequest, ChatResponse, ToolCall } from '../llm/types';
import { retryPolicy, withRetry } from '../retry';
import { stringify } from '../variables/resolve';
import { buildAgentTools, DELEGATE_TOOL, delegateTool, runTool } from './agent-tools';
import { tokenStream } from './streaming';
import { defineHandler, type EngineServices } from './types';

type AgentConfig = NodeConfig<'agent', 'tool_agent'>;

/** crewAI's prompt shape (seed 000 §I.6): role, backstory and goal make the agent, the task its job. */
function systemPrompt(c: AgentConfig): string {
  const parts = [`You are ${c.role}. ${c.backstory}`.trim(), `Your personal goal is: ${c.goal}`];
  if (c.tools.length)
    parts.push('Use the tools when they help; when you have the answer, reply without calling a tool.');
  if (c.routes) {
    parts.push(
      `You lead a team. Delegate the task to exactly one coworker with the ${DELEGATE_TOOL} tool: ${c.routes
        .map((r) => `${r.id}${r.description ? ` (${r.description})` : ''}`)
        .join('; ')}.`,
    );
  }
  return parts.join('\n');
}

function taskPrompt(c: AgentConfig): string {
  const parts = [`Current task: ${stringify(c.task_description)}`];
  if (c.expected_output)
    parts.push(`This is the expected criteria for your final answer: ${stringify(c.expected_output)}`);
  if (c.context !== undefined)
    parts.push(`This is the context you are working with:\n${stringify(c.context)}`);
  return parts.join('\n\n');
}

/** crewAI's max_rpm: at most `maxRpm` model calls in any 60 s window of this agent. */
function rpmLimiter(maxRpm: number | undefined, services: EngineServices) {
  const calls: number[] = [];
  return async (signal: AbortSignal) => {
    if (!maxRpm) return;
    const windowStart = services.now() - 60_000;
    while (calls.length && (calls[0] as number) <= windowStart) calls.shift();
    if (calls.length >= maxRpm) await services.sleep((calls[0] as number) - windowStart, signal);
    calls.push(services.now());
  };
}

/**
 * A tool-calling agent: call the model with the tools, run the tool calls it makes, feed the results
 * back, until it answers without a tool call or `max_iterations` is reached (then it is asked for its
 * best final answer without tools). With `routes`, it is a supervisor: calling `delegate_work` ends
 * its turn and picks the branch (the coworker) the run continues on.
 *
 * Model calls retry here, one by one (config.retry), so a 429 mid-loop does not replay the tools
 * already called; the node itself is not retried as a whole.
 */
export const agentHandler = defineHandler({
  type: 'agent',
  subtype: 'tool_agent',
  configSchema: nodeCatalog.agent.tool_agent.configSchema,
  defaultTimeoutMs: 600_000,
  retriesInternally: true,
  async run(ctx) {
    const { config, services, signal } = ctx;
    const tools = buildAgentTools(config, services);
    const definitions = tools.map((t) => t.definition);
    if (config.routes) definitions.push(delegateTool(config.routes));
    const policy = retryPolicy(config.retry, {
      max_attempts: 4,
      base_delay_ms: 2000,
      factor: 2,
      max_delay_ms: 60_000,
    });
    const limit = rpmLimiter(config.max_rpm, services);
    const messages: ChatMessage[] = [
      { role: 'system', content: systemPrompt(config) },
      { role: 'user', content: taskPrompt(config) },
    ];
    const usage = { input: 0, output: 0, cost: 0, costKnown: true };
    const toolLog: Array<{ tool: string; arguments: unknown; ok: boolean }> = [];

    const call = async (req: Partial<ChatRequest>): Promise<ChatResponse> => {
      await limit(signal);
      // One stream per model call: a retry drops only this call's partial text.
      const stream = tokenStream(ctx.emit);
      const res = await withRetry(
        () =>
          services.llm.chat({
            ...(config.model ? { model: config.model } : {}),
            messages,
            temperature: config.temperature,
            max_tokens: config.max_tokens,
            signal,
            ...stream.request,
            ...req,
          }),
        policy,
        {
          sleep: services.sleep,
          signal,
          onRetry: (attempt, delay, err) => {
            stream.restart('retry');
            ctx.emit({
              type: 'log',
              level: 'warn',
              message: `Model call retry ${attempt} in ${delay} ms: ${(err as Error).message}`,
            });
          },
        },
      );
      usage.input += res.input_tokens;
      usage.output += res.output_tokens;
      usage.cost += res.cost;
      usage.costKnown &&= res.cost_known;
      return res;
    };
    const finish = (output: Record<string, unknown>, iterations: number, branch?: string) => ({
      output: { ...output, iterations, tool_calls: toolLog },
      tokens: { input: usage.input, output: usage.output },
      cost: usage.cost,
      cost_known: usage.costKnown,
      ...(branch ? { branch } : {}),
    });
    // A supervisor with nothing else to do must delegate: say so to the model.
    const toolChoice: ChatRequest['tool_choice'] =
      config.routes && tools.length === 0 ? { name: DELEGATE_TOOL } : 'auto';

    for (let iteration = 1; iteration <= config.max_iterations; iteration++) {
      ctx.emit({ type: 'agent.iteration', iteration });
      const res = await call(definitions.length ? { tools: definitions, tool_choice: toolChoice } : {});
      if (res.tool_calls.length === 0)
        return finish(answer(config, res.content), iteration, route(config, res.content));
      messages.push({ role: 'assistant', content: res.content, tool_calls: res.tool_calls });
      const delegation = res.tool_calls.find((c) => c.name === DELEGATE_TOOL);
      if (delegation && config.routes)
        return finish(delegated(config, delegation), iteration, delegatedRoute(config, delegation));
      for (const toolCall of res.tool_calls) {
        const { ok, result } = await runTool(
          tools.find((t) => t.definition.name === toolCall.name),
          toolCall.name,
          toolCall.arguments,
          signal,
        );
        toolLog.push({ tool: toolCall.name, arguments: toolCall.arguments, ok });
        ctx.emit({ type: 'agent.tool_call', tool: toolCall.name, arguments: toolCall.arguments, ok, result });
        messages.push({ role: 'tool', tool_call_id: toolCall.id, name: toolCall.name, content: result });
      }
    }
    messages.push({
      role: 'user',
      content:
        'You have reached the maximum number of steps. Give your best final answer now, without tools.',
    });
    const last = await call({});
    return finish(answer(config, last.content), config.max_iterations, route(config, last.content));
  },
});

function answer(config: AgentConfig, text: string): Record<string, unknown> {
  return config.routes ? { text, route: route(config, text), task: text } : { text };
}

/** A supervisor that answered in text: the coworker it names, else the first. */
function route(config: AgentConfig, text: string): string | undefined {
  if (!config.routes) return undefined;
  const ids = config.routes.map((r) => r.id);
  return pickMentioned(ids, text) ?? ids[0];
}

function delegatedRoute(config: AgentConfig, call: ToolCall): string | undefined {
  const ids = (config.routes ?? []).map((r) => r.id);
  const wanted = String(call.arguments.coworker ?? '');
  return ids.includes(wanted) ? wanted : (pickMentioned(ids, wanted) ?? ids[0]);
}

function delegated(config: AgentConfig, call: ToolCall): Record<string, unknown> {
  const task = String(call.arguments.task ?? '');
  return {
    text: task,
    route: delegatedRoute(config, call),
    task,
    context: call.arguments.context === undefined ? null : String(call.arguments.context),
  };
}
