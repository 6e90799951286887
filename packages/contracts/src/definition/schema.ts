import { z } from 'zod';
import { conditionSchema, definitionIdSchema, handleIdSchema, positionSchema } from './common';

/**
 * One node of an agent definition. `config` is checked against the schema of its type/subtype by
 * `validateDefinition` (so every problem is reported, not only the first).
 */
export const definitionNodeSchema = z.object({
  id: definitionIdSchema,
  type: z.string().min(1).max(50),
  subtype: z.string().min(1).max(50),
  label: z.string().max(200),
  config: z.record(z.string(), z.unknown()),
  position: positionSchema,
});
export type DefinitionNode = z.infer<typeof definitionNodeSchema>;

/**
 * A directed edge. `source_handle` picks the branch of a branching node (null is accepted because
 * React Flow sends it); `condition` guards a plain edge: it is followed only when the condition holds.
 */
export const definitionEdgeSchema = z.object({
  id: definitionIdSchema,
  source: definitionIdSchema,
  target: definitionIdSchema,
  source_handle: handleIdSchema.nullish(),
  condition: conditionSchema.optional(),
  label: z.string().max(200).optional(),
});
export type DefinitionEdge = z.infer<typeof definitionEdgeSchema>;

export const maxDefinitionNodes = 500;
export const maxDefinitionEdges = 2000;

/** `{ nodes, edges }`: what the canvas saves and `agent_versions.definition` stores. */
export const agentDefinitionSchema = z
  .object({
    nodes: z.array(definitionNodeSchema).max(maxDefinitionNodes),
    edges: z.array(definitionEdgeSchema).max(maxDefinitionEdges),
  })
  .meta({ id: 'AgentDefinition' });
export type AgentDefinition = z.infer<typeof agentDefinitionSchema>;
