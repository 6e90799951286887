import { z } from 'zod';
import { maxDefinitionEdges, maxDefinitionNodes } from './definition/schema';
import { definitionProblemCodes } from './definition/validate';
import { paginationQuerySchema } from './pagination';

/**
 * Bodies, queries and responses of the agent endpoints (seed 004 §4.2, issue 4 items 1 and 8).
 * Wire format is snake_case. The definition itself (`AgentDefinition`) lives in ./definition.
 */

const timestamp = z.iso.datetime();
const uuid = z.uuid();

export const agentStatusValues = ['draft', 'active', 'paused', 'archived'] as const;
export const agentStatusSchema = z.enum(agentStatusValues);
export const agentTriggerTypes = ['manual', 'api', 'webhook', 'schedule'] as const;
export const agentTriggerTypeSchema = z.enum(agentTriggerTypes);

/**
 * Run limits. Bounds keep one agent from holding a worker for hours or flooding the queue; the
 * defaults suit an interactive agent.
 */
export const agentSettingsSchema = z
  .object({
    timeout_seconds: z.number().int().min(1).max(3600).default(300),
    max_retries: z.number().int().min(0).max(10).default(0),
    concurrency_limit: z.number().int().min(1).max(100).default(5),
  })
  .meta({ id: 'AgentSettings' });
export type AgentSettings = z.output<typeof agentSettingsSchema>;

/**
 * A definition as the canvas saves it. Deliberately loose: a draft may be half-built, so only the
 * envelope is checked here and `validateDefinition` reports the problems (node/edge ids) instead of
 * field errors. Publishing and dry runs refuse a definition with problems (422, `details.problems`).
 */
export const looseDefinitionSchema = z
  .object({
    nodes: z.array(z.record(z.string(), z.unknown())).max(maxDefinitionNodes),
    edges: z.array(z.record(z.string(), z.unknown())).max(maxDefinitionEdges),
  })
  .describe('An AgentDefinition ({ nodes, edges }); checked by the validator, not by the request schema');
export type LooseDefinition = z.infer<typeof looseDefinitionSchema>;

export const definitionProblemSchema = z
  .object({
    code: z.enum(definitionProblemCodes),
    message: z.string(),
    node_id: z.string().optional(),
    edge_id: z.string().optional(),
    path: z.string().optional(),
  })
  .meta({ id: 'DefinitionProblem' });

export const agentVersionSummarySchema = z
  .object({
    id: uuid,
    version: z.number().int(),
    change_message: z.string().nullable(),
    created_by: uuid.nullable(),
    is_published: z.boolean().describe('true for the version new executions use'),
    node_count: z.number().int(),
    edge_count: z.number().int(),
    created_at: timestamp,
  })
  .meta({ id: 'AgentVersionSummary' });
export type AgentVersionSummary = z.infer<typeof agentVersionSummarySchema>;

export const agentVersionSchema = agentVersionSummarySchema
  .extend({ definition: z.record(z.string(), z.unknown()) })
  .meta({ id: 'AgentVersion' });
export type AgentVersion = z.infer<typeof agentVersionSchema>;

export const agentSchema = z
  .object({
    id: uuid,
    name: z.string(),
    description: z.string().nullable(),
    status: agentStatusSchema,
    trigger_type: agentTriggerTypeSchema.nullable(),
    trigger_config: z.record(z.string(), z.unknown()),
    settings: agentSettingsSchema,
    template_id: uuid.nullable(),
    created_by: uuid.nullable(),
    latest_version: z.number().int().describe('Highest version number published so far (0: none)'),
    published_version: agentVersionSummarySchema.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Agent' });
export type Agent = z.infer<typeof agentSchema>;

/** One agent with its draft and what the validator thinks of it (for the canvas to highlight). */
export const agentDetailSchema = agentSchema
  .extend({
    definition: z.record(z.string(), z.unknown()).describe('The draft (working copy)'),
    problems: z.array(definitionProblemSchema).describe('Validator problems of the draft; [] when valid'),
  })
  .meta({ id: 'AgentDetail' });
export type AgentDetail = z.infer<typeof agentDetailSchema>;

export const agentParamsSchema = z.object({ id: uuid });
// `n` is checked by the service after the agent lookup, so another org's agent is a 404 whatever `n`
// is (a malformed number is AGENT_VERSION_NOT_FOUND, not a 422 that would reveal the agent exists).
export const agentVersionParamsSchema = z.object({
  id: uuid,
  n: z.string().max(64).describe('The version number: 1, 2, ...'),
});

export const agentListQuerySchema = paginationQuerySchema.extend({
  status: agentStatusSchema.optional().describe('archived agents are listed only with status=archived'),
  trigger_type: agentTriggerTypeSchema.optional(),
  search: z.string().trim().min(1).max(200).optional().describe('case-insensitive, in name and description'),
});
export type AgentListQuery = z.infer<typeof agentListQuerySchema>;

export const agentTemplateKeys = ['blank', 'starter'] as const;

export const createAgentBodySchema = z
  .object({
    name: z.string().trim().min(1).max(255),
    description: z.string().max(5000).nullish(),
    trigger_type: agentTriggerTypeSchema.default('manual'),
    trigger_config: z.record(z.string(), z.unknown()).default({}),
    settings: agentSettingsSchema.prefault({}),
    definition: looseDefinitionSchema.optional(),
    template: z
      .enum(agentTemplateKeys)
      .optional()
      .describe('Starting graph when no definition is given: starter = trigger -> ai (echo) -> output'),
  })
  .strict()
  .refine((b) => !(b.definition && b.template), { error: 'give either definition or template, not both' });
export type CreateAgentBody = z.infer<typeof createAgentBodySchema>;

export const updateAgentBodySchema = z
  .object({
    name: z.string().trim().min(1).max(255).optional(),
    description: z.string().max(5000).nullable().optional(),
    trigger_type: agentTriggerTypeSchema.optional(),
    trigger_config: z.record(z.string(), z.unknown()).optional(),
    settings: agentSettingsSchema.partial().optional().describe('merged field by field'),
    definition: looseDefinitionSchema.optional().describe('the draft; saved even when invalid'),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { error: 'provide at least one field' });
export type UpdateAgentBody = z.infer<typeof updateAgentBodySchema>;

export const agentStatusBodySchema = z.object({ status: z.enum(['active', 'paused']) }).strict();
export type AgentStatusBody = z.infer<typeof agentStatusBodySchema>;

export const cloneAgentBodySchema = z
  .object({ name: z.string().trim().min(1).max(255).optional().describe('default: "<name> (copy)"') })
  .strict();
export type CloneAgentBody = z.infer<typeof cloneAgentBodySchema>;

export const publishAgentBodySchema = z
  .object({
    change_message: z.string().trim().min(1).max(1000),
    definition: looseDefinitionSchema
      .optional()
      .describe('publish this (and save it as the draft); default: the saved draft'),
  })
  .strict();
export type PublishAgentBody = z.infer<typeof publishAgentBodySchema>;

export const rollbackAgentBodySchema = z
  .object({
    version: z.number().int().min(1),
    change_message: z.string().trim().min(1).max(1000).optional(),
  })
  .strict();
export type RollbackAgentBody = z.infer<typeof rollbackAgentBodySchema>;

export const versionDiffQuerySchema = z.object({
  from: z.coerce.number().int().min(1).optional().describe('default: to - 1'),
  to: z.coerce.number().int().min(1).optional().describe('default: the latest version'),
});
export type VersionDiffQuery = z.infer<typeof versionDiffQuerySchema>;

const changedItemSchema = z.object({
  id: z.string(),
  fields: z.array(z.string()).describe('top-level fields that differ, e.g. config, label, position'),
  before: z.record(z.string(), z.unknown()),
  after: z.record(z.string(), z.unknown()),
});
const diffSectionSchema = z.object({
  added: z.array(z.record(z.string(), z.unknown())),
  removed: z.array(z.record(z.string(), z.unknown())),
  changed: z.array(changedItemSchema),
});
export const versionDiffSchema = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    nodes: diffSectionSchema,
    edges: diffSectionSchema,
  })
  .meta({ id: 'AgentVersionDiff' });
export type VersionDiff = z.infer<typeof versionDiffSchema>;

export const testAgentBodySchema = z
  .object({
    definition: looseDefinitionSchema.optional().describe('default: the saved draft'),
    trigger_data: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("the trigger payload; default: the trigger node's sample_data, else {}"),
  })
  .strict();
export type TestAgentBody = z.infer<typeof testAgentBodySchema>;

export const testStepSchema = z.object({
  node_id: z.string(),
  label: z.string(),
  type: z.string(),
  subtype: z.string(),
  status: z.enum(['running', 'completed', 'failed', 'waiting_approval']),
  input: z.unknown(),
  output: z.unknown(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  tokens: z.object({ input: z.number(), output: z.number() }).nullable(),
  cost: z.number(),
  attempts: z.number().int(),
  duration_ms: z.number(),
});
export type TestStep = z.infer<typeof testStepSchema>;

export const testAgentResultSchema = z
  .object({
    status: z.enum(['completed', 'failed', 'waiting_approval']),
    output: z.unknown(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    /** For waiting_approval: what the human node asks (message, approvers, timeout). */
    pending_approval: z.unknown().nullable(),
    steps: z.array(testStepSchema),
    total_tokens: z.number().int(),
    total_cost: z.number(),
    duration_ms: z.number(),
    test: z.literal(true),
  })
  .meta({ id: 'AgentTestResult' });
export type TestAgentResult = z.infer<typeof testAgentResultSchema>;
