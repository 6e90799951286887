import { getNodeSpec, type HandleMode, nodeCatalog } from '@agentflow/contracts';

/** One entry of the palette: every type/subtype of the engine's node catalog. */
export interface PaletteItem {
  type: string;
  subtype: string;
  title: string;
  description: string;
  available: boolean;
}

export const typeTitles: Record<string, string> = {
  trigger: 'Triggers',
  ai: 'AI',
  agent: 'Agents',
  action: 'Actions',
  logic: 'Logic',
  transform: 'Transform',
  human: 'Human',
  output: 'Output',
  knowledge: 'Knowledge',
};

const subtypeTitles: Record<string, string> = {
  'trigger.manual': 'Manual trigger',
  'trigger.api': 'API trigger',
  'trigger.webhook': 'Webhook trigger',
  'trigger.schedule': 'Schedule trigger',
  'ai.chat': 'AI chat',
  'ai.summarize': 'AI summarize',
  'ai.classify': 'AI classify',
  'ai.extract': 'AI extract',
  'agent.tool_agent': 'Tool agent',
  'action.http_request': 'HTTP request',
  'logic.if_else': 'If / else',
  'logic.switch': 'Switch',
  'logic.loop': 'Loop',
  'logic.delay': 'Delay',
  'logic.merge': 'Merge',
  'transform.set': 'Set fields',
  'human.approval': 'Human approval',
  'output.respond': 'Output',
  'knowledge.search': 'Knowledge search',
};

export function nodeTitle(type: string, subtype: string): string {
  return subtypeTitles[`${type}.${subtype}`] ?? `${type} ${subtype}`;
}

/** Every node of the catalog, in catalog order (triggers first). */
export const paletteItems: PaletteItem[] = Object.entries(nodeCatalog).flatMap(([type, subtypes]) =>
  Object.entries(subtypes as Record<string, { description: string; available: boolean }>).map(
    ([subtype, spec]) => ({
      type,
      subtype,
      title: nodeTitle(type, subtype),
      description: spec.description,
      available: spec.available,
    }),
  ),
);

/**
 * The config a new node starts with: enough for most nodes to be valid right away (AI nodes on the
 * offline echo model), the rest is filled in the inspector.
 */
export function defaultConfig(type: string, subtype: string): Record<string, unknown> {
  switch (`${type}.${subtype}`) {
    case 'trigger.manual':
    case 'trigger.api':
    case 'trigger.webhook':
      return { sample_data: { message: 'Hello from AgentFlow' } };
    case 'trigger.schedule':
      return { cron: '0 9 * * 1-5', timezone: 'UTC' };
    case 'ai.chat':
    case 'ai.summarize':
      return { model: 'echo', user_prompt: '' };
    case 'ai.classify':
      return { model: 'echo', user_prompt: '', labels: ['yes', 'no'] };
    case 'ai.extract':
      return {
        model: 'echo',
        user_prompt: '',
        json_schema: { type: 'object', properties: { name: { type: 'string' } } },
      };
    case 'agent.tool_agent':
      return { model: 'echo', role: '', goal: '', task_description: '' };
    case 'action.http_request':
      return { method: 'GET', url: '' };
    case 'logic.if_else':
      return { condition: { left: '', operator: 'eq', right: '' } };
    case 'logic.switch':
      return { value: '', cases: [{ id: 'a', operator: 'eq', value: 'a' }] };
    case 'logic.loop':
      return { items: '' };
    case 'logic.delay':
      return { seconds: 1 };
    case 'logic.merge':
      return { mode: 'any' };
    case 'transform.set':
      return { values: {} };
    case 'human.approval':
      return { message: 'Please review', approvers: { roles: ['owner', 'admin'] } };
    case 'output.respond':
      return { body: {} };
    case 'knowledge.search':
      return { knowledge_base_ids: [], query: '' };
    default:
      return {};
  }
}

export interface NodeHandles {
  /** Named source handles (branches), in order. */
  branches: string[];
  /** Whether the node also offers an unnamed source handle (followed always / on the default branch). */
  plain: boolean;
  mode: HandleMode;
  defaultHandle?: string;
}

/**
 * The source handles a node offers, as the validator sees them (catalog `handles` on the parsed
 * config). A config that does not parse yet still gets the branches it names, when it can.
 */
const handleCache = new WeakMap<object, { key: string; value: NodeHandles }>();

export function nodeHandles(type: string, subtype: string, config: Record<string, unknown>): NodeHandles {
  // Configs are immutable in the store: one parse per config object, not per render.
  const key = `${type}.${subtype}`;
  const hit = handleCache.get(config);
  if (hit && hit.key === key) return hit.value;
  const value = computeHandles(type, subtype, config);
  handleCache.set(config, { key, value });
  return value;
}

function computeHandles(type: string, subtype: string, config: Record<string, unknown>): NodeHandles {
  const spec = getNodeSpec(type, subtype);
  if (!spec) return { branches: [], plain: true, mode: 'none' };
  let branches: string[] = [];
  const parsed = spec.configSchema.safeParse(config);
  try {
    branches = spec.handles(parsed.success ? parsed.data : config);
  } catch {
    branches = [];
  }
  branches = [...new Set(branches.filter((b) => typeof b === 'string' && b.length > 0))];
  const plain =
    spec.handleMode === 'none' || (spec.handleMode === 'optional' && spec.defaultHandle === undefined);
  return {
    branches,
    plain,
    mode: spec.handleMode,
    ...(spec.defaultHandle ? { defaultHandle: spec.defaultHandle } : {}),
  };
}

/** Output fields each node type produces (engine handlers), for the variable picker. */
export function outputFields(type: string, subtype: string, config: Record<string, unknown>): string[] {
  switch (`${type}.${subtype}`) {
    case 'ai.chat':
    case 'ai.summarize':
      return ['text', 'model'];
    case 'ai.classify':
      return ['label', 'text'];
    case 'ai.extract': {
      const props = (config.json_schema as { properties?: Record<string, unknown> } | undefined)?.properties;
      return ['data', ...Object.keys(props ?? {}).map((k) => `data.${k}`), 'text'];
    }
    case 'agent.tool_agent':
      return ['text', 'iterations'];
    case 'action.http_request':
      return ['status', 'body', 'headers'];
    case 'logic.if_else':
      return ['result'];
    case 'logic.switch':
      return ['case', 'value'];
    case 'logic.loop':
      return ['count', 'results'];
    case 'logic.delay':
      return ['waited_ms'];
    case 'human.approval':
      return ['decision', 'approved', 'comment', 'by'];
    case 'transform.set': {
      const values = config.values;
      return values && typeof values === 'object' ? Object.keys(values) : [];
    }
    case 'output.respond':
      return ['body'];
    default:
      return [];
  }
}
