import { z } from 'zod';
import { definitionIdPattern, modelRefSchema, nodeSettingsShape, uniqueStrings } from '../common';

const toolName = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/, 'Tool names: a letter, then letters, digits, "_" or "-"');

const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

/** The agent may call HTTP endpoints (SSRF-protected); `base_url` limits where. */
export const httpToolSchema = z.object({
  type: z.literal('http_request'),
  name: toolName.default('http_request'),
  description: z.string().max(2000).optional(),
  base_url: z.url().max(2048).optional(),
  allowed_methods: z.array(z.enum(httpMethods)).min(1).default(['GET']),
  headers: z.record(z.string(), z.string()).default({}),
  credential_id: z.string().min(1).max(100).optional(),
  timeout_ms: z.number().int().min(100).max(120_000).default(30_000),
});

/** The agent may search knowledge bases of the run's org (hybrid retrieval); the model writes the query. */
export const knowledgeToolSchema = z.object({
  type: z.literal('knowledge_search'),
  name: toolName.default('knowledge_search'),
  description: z.string().max(2000).optional(),
  knowledge_base_ids: z
    .array(z.uuid({ error: 'must be a knowledge base id (uuid)' }))
    .min(1)
    .max(20),
  top_k: z.number().int().min(1).max(20).default(4),
});

export const agentToolSchema = z.discriminatedUnion('type', [httpToolSchema, knowledgeToolSchema]);
export type AgentTool = z.infer<typeof agentToolSchema>;

/** A coworker a supervisor can delegate to; its id is a branch handle of the agent node. */
export const agentRouteSchema = z.object({
  id: z.string().regex(definitionIdPattern, 'Use 1-64 letters, digits, "_" or "-"'),
  description: z.string().max(2000).default(''),
});

/**
 * A crewAI-style agent (seed 000 §I.2, §I.6): role/goal/backstory shape the system prompt,
 * task_description/expected_output the task; a chain of agents is a sequential crew. With `routes`
 * the agent is a supervisor: it delegates to one coworker (branch) = a hierarchical crew.
 */
export const agentConfigSchema = z
  .object({
    ...nodeSettingsShape,
    model: modelRefSchema,
    role: z.string().min(1).max(500),
    goal: z.string().min(1).max(2000),
    backstory: z.string().max(5000).default(''),
    task_description: z.string().min(1).max(50_000),
    expected_output: z.string().max(5000).default(''),
    /** Extra input for the task, typically earlier agents' outputs (crewAI task `context`). */
    context: z.string().max(100_000).optional(),
    tools: z.array(agentToolSchema).max(20).default([]),
    routes: z.array(agentRouteSchema).min(2).max(20).optional(),
    max_iterations: z.number().int().min(1).max(50).default(15),
    max_rpm: z.number().int().min(1).max(10_000).optional(),
    temperature: z.number().min(0).max(2).default(0.7),
    max_tokens: z.number().int().min(1).max(200_000).default(2048),
  })
  .superRefine((c, ctx) => {
    if (!uniqueStrings(c.tools.map((t) => t.name))) {
      ctx.addIssue({ code: 'custom', path: ['tools'], message: 'Tool names must be unique' });
    }
    if (c.routes && !uniqueStrings(c.routes.map((r) => r.id))) {
      ctx.addIssue({ code: 'custom', path: ['routes'], message: 'Route ids must be unique' });
    }
  });
