import { z } from 'zod';
import { getNodeSpec, isKnownNodeType, type NodeSpec } from './catalog';
import { analyzeGraph } from './graph';
import {
  type AgentDefinition,
  type DefinitionEdge,
  type DefinitionNode,
  definitionEdgeSchema,
  definitionNodeSchema,
  maxDefinitionEdges,
  maxDefinitionNodes,
} from './schema';
import { checkEdges, checkStructure } from './validate-graph';
import { checkReferences } from './validate-references';

export const definitionProblemCodes = [
  'invalid_definition',
  'invalid_node',
  'invalid_edge',
  'duplicate_node_id',
  'duplicate_edge_id',
  'duplicate_edge',
  'unknown_node_type',
  'unknown_node_subtype',
  'invalid_config',
  'edge_source_missing',
  'edge_target_missing',
  'invalid_source_handle',
  'missing_source_handle',
  'trigger_missing',
  'multiple_triggers',
  'trigger_incoming_edge',
  'unreachable_node',
  'cycle',
  'loop_body_entry',
  'merge_requires_plain_edges',
  'invalid_template',
  'unknown_reference',
  'reference_not_upstream',
  'loop_reference_outside_loop',
] as const;
export type DefinitionProblemCode = (typeof definitionProblemCodes)[number];

/** One problem, with the node or edge it concerns so the canvas can highlight it. */
export interface DefinitionProblem {
  code: DefinitionProblemCode;
  message: string;
  node_id?: string;
  edge_id?: string;
  /** Dotted path into the definition: `nodes.3.config.labels`. */
  path?: string;
}

export interface ValidationResult {
  ok: boolean;
  problems: DefinitionProblem[];
  /** The definition with every config parsed (defaults applied); only when `ok`. */
  definition?: AgentDefinition;
}

export function joinPath(segments: readonly PropertyKey[]): string {
  return segments.map(String).join('.');
}

const envelopeSchema = z.object({
  nodes: z.array(z.unknown()).max(maxDefinitionNodes),
  edges: z.array(z.unknown()).max(maxDefinitionEdges),
});

/**
 * Every problem of a definition, not just the first. Pure and browser-safe: the canvas runs it as
 * the user edits, publish runs it before freezing a version, the engine before compiling.
 */
export function validateDefinition(input: unknown): ValidationResult {
  const problems: DefinitionProblem[] = [];
  const envelope = envelopeSchema.safeParse(input);
  if (!envelope.success) {
    for (const issue of envelope.error.issues) {
      problems.push({ code: 'invalid_definition', message: issue.message, path: joinPath(issue.path) });
    }
    return { ok: false, problems };
  }

  const nodes: DefinitionNode[] = [];
  const nodeIndex = new Map<string, number>();
  envelope.data.nodes.forEach((raw, i) => {
    const parsed = definitionNodeSchema.safeParse(raw);
    if (!parsed.success) {
      const id = readId(raw);
      for (const issue of parsed.error.issues) {
        problems.push({
          code: 'invalid_node',
          message: issue.message,
          path: joinPath(['nodes', i, ...issue.path]),
          ...(id ? { node_id: id } : {}),
        });
      }
      return;
    }
    if (nodeIndex.has(parsed.data.id)) {
      problems.push({
        code: 'duplicate_node_id',
        message: `Node id "${parsed.data.id}" is used more than once`,
        node_id: parsed.data.id,
        path: joinPath(['nodes', i, 'id']),
      });
      return;
    }
    nodeIndex.set(parsed.data.id, i);
    nodes.push(parsed.data);
  });

  const edges: DefinitionEdge[] = [];
  const edgeIds = new Set<string>();
  envelope.data.edges.forEach((raw, i) => {
    const parsed = definitionEdgeSchema.safeParse(raw);
    if (!parsed.success) {
      const id = readId(raw);
      for (const issue of parsed.error.issues) {
        problems.push({
          code: 'invalid_edge',
          message: issue.message,
          path: joinPath(['edges', i, ...issue.path]),
          ...(id ? { edge_id: id } : {}),
        });
      }
      return;
    }
    if (edgeIds.has(parsed.data.id)) {
      problems.push({
        code: 'duplicate_edge_id',
        message: `Edge id "${parsed.data.id}" is used more than once`,
        edge_id: parsed.data.id,
        path: joinPath(['edges', i, 'id']),
      });
      return;
    }
    edgeIds.add(parsed.data.id);
    edges.push(parsed.data);
  });

  const parsedConfigs = checkConfigs(nodes, nodeIndex, problems);
  const graph = analyzeGraph({ nodes, edges });
  checkEdges(edges, graph, parsedConfigs, problems);
  checkStructure(graph, problems);
  checkReferences(nodes, edges, graph, problems);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    problems,
    definition: {
      nodes: nodes.map((n) => ({ ...n, config: parsedConfigs.get(n.id)?.config ?? n.config })),
      edges,
    },
  };
}

function readId(raw: unknown): string | undefined {
  if (raw && typeof raw === 'object' && 'id' in raw && typeof raw.id === 'string') return raw.id;
  return undefined;
}

export type ParsedNode = { spec: NodeSpec; config: Record<string, unknown> };

function checkConfigs(
  nodes: DefinitionNode[],
  nodeIndex: Map<string, number>,
  problems: DefinitionProblem[],
): Map<string, ParsedNode> {
  const out = new Map<string, ParsedNode>();
  for (const node of nodes) {
    const i = nodeIndex.get(node.id) ?? 0;
    const spec = getNodeSpec(node.type, node.subtype);
    if (!spec) {
      const known = isKnownNodeType(node.type);
      problems.push({
        code: known ? 'unknown_node_subtype' : 'unknown_node_type',
        message: known
          ? `Unknown subtype "${node.subtype}" for node type "${node.type}"`
          : `Unknown node type "${node.type}"`,
        node_id: node.id,
        path: joinPath(['nodes', i, known ? 'subtype' : 'type']),
      });
      continue;
    }
    const parsed = spec.configSchema.safeParse(node.config);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({
          code: 'invalid_config',
          message: issue.path.length ? `${joinPath(issue.path)}: ${issue.message}` : issue.message,
          node_id: node.id,
          path: joinPath(['nodes', i, 'config', ...issue.path]),
        });
      }
      continue;
    }
    out.set(node.id, { spec, config: parsed.data as Record<string, unknown> });
  }
  return out;
}
