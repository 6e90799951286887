import type { AgentTool, NodeConfig } from '@agentflow/contracts';
import { EngineError, isAbortError } from '../errors';
import type { ToolDefinition } from '../llm/types';
import { performHttpCall } from './action';
import { contextText, requireKnowledge } from './knowledge';
import type { EngineServices } from './types';

export interface AgentToolRuntime {
  definition: ToolDefinition;
  run(args: Record<string, unknown>, signal: AbortSignal): Promise<string>;
}

/** What the model sees of a tool result: enough to reason on, bounded so the context stays small. */
const maxResultChars = 4000;
export const DELEGATE_TOOL = 'delegate_work';

export function buildAgentTools(
  config: NodeConfig<'agent', 'tool_agent'>,
  services: EngineServices,
): AgentToolRuntime[] {
  return config.tools.map((tool) =>
    tool.type === 'http_request' ? httpTool(tool, services) : knowledgeTool(tool, services),
  );
}

/** Tool failures go back to the model as text so it can recover (crewAI does the same); aborts do not. */
export async function runTool(
  tool: AgentToolRuntime | undefined,
  name: string,
  args: Record<string, unknown>,
  signal: AbortSignal,
) {
  if (!tool) return { ok: false, result: `Error: there is no tool named "${name}"` };
  try {
    return { ok: true, result: (await tool.run(args, signal)).slice(0, maxResultChars) };
  } catch (err) {
    if (isAbortError(err) || signal.aborted) throw err;
    return { ok: false, result: `Error: ${(err as Error).message}`.slice(0, maxResultChars) };
  }
}

function httpTool(
  tool: Extract<AgentTool, { type: 'http_request' }>,
  services: EngineServices,
): AgentToolRuntime {
  return {
    definition: {
      name: tool.name,
      description:
        tool.description ??
        `Make an HTTP request${tool.base_url ? ` under ${tool.base_url}` : ''}. Returns the status and the response body.`,
      parameters: {
        type: 'object',
        properties: {
          method: { type: 'string', enum: [...tool.allowed_methods] },
          url: {
            type: 'string',
            description: tool.base_url ? `A URL or a path under ${tool.base_url}` : 'The URL',
          },
          body: { type: 'string', description: 'Request body (JSON text) for POST/PUT/PATCH' },
        },
        required: ['url'],
      },
    },
    async run(args, signal) {
      const method = String(args.method ?? tool.allowed_methods[0]).toUpperCase();
      if (!(tool.allowed_methods as readonly string[]).includes(method)) {
        throw new EngineError(
          'TOOL_METHOD_NOT_ALLOWED',
          `method ${method} is not allowed (${tool.allowed_methods.join(', ')})`,
        );
      }
      const url = tool.base_url
        ? new URL(String(args.url ?? ''), tool.base_url).href
        : String(args.url ?? '');
      if (tool.base_url && !url.startsWith(tool.base_url)) {
        throw new EngineError('TOOL_URL_NOT_ALLOWED', `${url} is outside ${tool.base_url}`);
      }
      const res = await performHttpCall(
        {
          method,
          url,
          headers: tool.headers,
          ...(typeof args.body === 'string' && args.body ? { body: args.body } : {}),
          ...(tool.credential_id ? { credentialId: tool.credential_id } : {}),
          timeoutMs: tool.timeout_ms,
        },
        services,
        signal,
      );
      return `HTTP ${res.status}\n${res.body}`;
    },
  };
}

function knowledgeTool(
  tool: Extract<AgentTool, { type: 'knowledge_search' }>,
  services: EngineServices,
): AgentToolRuntime {
  const knowledge = requireKnowledge(services, `Tool "${tool.name}"`);
  return {
    definition: {
      name: tool.name,
      description: tool.description ?? 'Search the knowledge bases for passages relevant to a query.',
      parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
    },
    async run(args, signal) {
      const query = String(args.query ?? '').trim();
      if (!query) throw new EngineError('KNOWLEDGE_QUERY_EMPTY', 'the query is empty');
      const hits = await knowledge.search({
        knowledgeBaseIds: tool.knowledge_base_ids,
        query,
        topK: tool.top_k,
        signal,
      });
      return hits.length ? contextText(hits) : 'No results.';
    },
  };
}

export function delegateTool(
  routes: NonNullable<NodeConfig<'agent', 'tool_agent'>['routes']>,
): ToolDefinition {
  return {
    name: DELEGATE_TOOL,
    description: `Delegate the work to one coworker: ${routes.map((r) => `${r.id}${r.description ? ` (${r.description})` : ''}`).join('; ')}.`,
    parameters: {
      type: 'object',
      properties: {
        coworker: { type: 'string', enum: routes.map((r) => r.id) },
        task: { type: 'string', description: 'What the coworker must do, with all the details it needs' },
        context: { type: 'string', description: 'Everything you know that helps' },
      },
      required: ['coworker', 'task'],
    },
  };
}
