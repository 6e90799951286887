import type { z } from 'zod';
import { httpRequestConfigSchema, knowledgeSearchConfigSchema } from './configs/action';
import { agentConfigSchema } from './configs/agent';
import {
  aiChatConfigSchema,
  aiClassifyConfigSchema,
  aiExtractConfigSchema,
  aiSummarizeConfigSchema,
} from './configs/ai';
import {
  humanApprovalConfigSchema,
  outputRespondConfigSchema,
  transformSetConfigSchema,
} from './configs/flow';
import {
  delayConfigSchema,
  ifElseConfigSchema,
  loopConfigSchema,
  mergeConfigSchema,
  switchConfigSchema,
} from './configs/logic';
import {
  apiTriggerConfigSchema,
  manualTriggerConfigSchema,
  scheduleTriggerConfigSchema,
  webhookTriggerConfigSchema,
} from './configs/trigger';

/**
 * How a node's outgoing edges use `source_handle`:
 * - `none`: no handles, every edge is followed;
 * - `optional`: edges with a handle are followed when the node picks that branch, edges without one
 *   are followed always, or only on `defaultHandle` when the node has one (human: `approved`);
 * - `required`: every edge must name a handle (if/else, switch, loop).
 */
export type HandleMode = 'none' | 'optional' | 'required';

export interface NodeSpec<S extends z.ZodType = z.ZodType> {
  configSchema: S;
  /** The source handles the node offers, given its parsed config (method syntax: bivariant on purpose). */
  handles(config: z.output<S>): string[];
  handleMode: HandleMode;
  defaultHandle?: string;
  /** false: the schema is reserved (the canvas may show it) but the engine cannot run it yet. */
  available: boolean;
  description: string;
}

const noHandles = (): string[] => [];

function spec<S extends z.ZodType>(
  configSchema: S,
  description: string,
  extra: Partial<Omit<NodeSpec<S>, 'configSchema' | 'description'>> = {},
): NodeSpec<S> {
  return { configSchema, description, handles: noHandles, handleMode: 'none', available: true, ...extra };
}

/** Every node type and subtype (issue 4 item 3, seed 004 §5.3), with its config schema and handles. */
export const nodeCatalog = {
  trigger: {
    manual: spec(manualTriggerConfigSchema, 'Started by a person from the app'),
    api: spec(apiTriggerConfigSchema, 'Started through the API or SDK'),
    webhook: spec(webhookTriggerConfigSchema, 'Started by an HTTP call to the agent webhook'),
    schedule: spec(scheduleTriggerConfigSchema, 'Started on a cron schedule'),
  },
  ai: {
    chat: spec(aiChatConfigSchema, 'Ask a model; output.text'),
    summarize: spec(aiSummarizeConfigSchema, 'Summarize text; output.text'),
    classify: spec(aiClassifyConfigSchema, 'Pick one of the labels; output.label, one branch per label', {
      handles: (c) => [...c.labels],
      handleMode: 'optional',
    }),
    extract: spec(aiExtractConfigSchema, 'Extract a JSON object matching a schema; output.data'),
  },
  agent: {
    tool_agent: spec(agentConfigSchema, 'A tool-calling agent with a role, goal and task', {
      handles: (c) => (c.routes ?? []).map((r) => r.id),
      handleMode: 'optional',
    }),
  },
  action: {
    http_request: spec(httpRequestConfigSchema, 'Call an HTTP endpoint'),
  },
  logic: {
    if_else: spec(ifElseConfigSchema, 'Branch on a condition', {
      handles: () => ['true', 'false'],
      handleMode: 'required',
    }),
    switch: spec(switchConfigSchema, 'Branch on a value: one handle per case, then default', {
      handles: (c) => [...c.cases.map((k) => k.id), 'default'],
      handleMode: 'required',
    }),
    loop: spec(loopConfigSchema, 'Run the "each" path once per item, then "done"', {
      handles: () => ['each', 'done'],
      handleMode: 'required',
    }),
    delay: spec(delayConfigSchema, 'Wait (at most 5 minutes)'),
    merge: spec(mergeConfigSchema, 'Join paths'),
  },
  transform: {
    set: spec(transformSetConfigSchema, 'Build an object from templates'),
  },
  human: {
    approval: spec(humanApprovalConfigSchema, 'Pause until a person approves or rejects', {
      handles: () => ['approved', 'rejected'],
      handleMode: 'optional',
      defaultHandle: 'approved',
    }),
  },
  output: {
    respond: spec(outputRespondConfigSchema, "The execution's result"),
  },
  knowledge: {
    search: spec(knowledgeSearchConfigSchema, 'Search knowledge bases; output.results, output.context'),
  },
} as const;

export type NodeCatalog = typeof nodeCatalog;
export type NodeType = keyof NodeCatalog;
export type NodeSubtype<T extends NodeType = NodeType> = keyof NodeCatalog[T] & string;
type SpecOf<T extends NodeType, S extends NodeSubtype<T>> = NodeCatalog[T][S];
type SchemaOf<X> = X extends NodeSpec<infer S> ? S : never;
/** The parsed config of a node (defaults applied), e.g. `NodeConfig<'ai', 'classify'>`. */
export type NodeConfig<T extends NodeType, S extends NodeSubtype<T>> = z.output<SchemaOf<SpecOf<T, S>>>;
/** What a client may send for a node's config (defaults optional). */
export type NodeConfigInput<T extends NodeType, S extends NodeSubtype<T>> = z.input<SchemaOf<SpecOf<T, S>>>;

export const nodeTypes = Object.keys(nodeCatalog) as NodeType[];

/** The spec of `type`/`subtype`, or undefined for an unknown pair (own keys only). */
export function getNodeSpec(type: string, subtype: string): NodeSpec | undefined {
  if (!Object.hasOwn(nodeCatalog, type)) return undefined;
  const subtypes: Record<string, NodeSpec> = nodeCatalog[type as NodeType];
  return Object.hasOwn(subtypes, subtype) ? subtypes[subtype] : undefined;
}

export function isKnownNodeType(type: string): type is NodeType {
  return Object.hasOwn(nodeCatalog, type);
}
