import type { GraphAnalysis } from './graph';
import type { DefinitionEdge, DefinitionNode } from './schema';
import {
  collectTemplateStrings,
  formatPath,
  nodeIdFromRoot,
  type PathSegment,
  parseTemplate,
  type TemplateExpression,
  TemplateSyntaxError,
} from './templates';
import type { DefinitionProblem } from './validate';

/** The first path segment each root allows; anything else is a typo worth reporting. */
const allowedFields: Record<'trigger' | 'loop' | 'node', readonly string[]> = {
  trigger: ['data', 'type'],
  loop: ['item', 'index', 'count'],
  node: ['output', 'branch'],
};

interface Scope {
  /** Nodes whose outputs exist when the template is resolved. */
  upstream: Set<string>;
  self: string | null;
  inLoop: boolean;
  node_id?: string;
  edge_id?: string;
  basePath: PathSegment[];
}

/** `{{...}}` references: they must parse, name a known root, and point to a node upstream. */
export function checkReferences(
  nodes: DefinitionNode[],
  edges: DefinitionEdge[],
  graph: GraphAnalysis,
  problems: DefinitionProblem[],
): void {
  nodes.forEach((node, i) => {
    checkValue(node.config, graph, problems, {
      upstream: graph.ancestors(node.id),
      self: node.id,
      inLoop: (graph.enclosingLoops.get(node.id) ?? []).length > 0,
      node_id: node.id,
      basePath: ['nodes', i, 'config'],
    });
  });
  edges.forEach((edge, i) => {
    if (!edge.condition || !graph.nodeById.has(edge.source)) return;
    // An edge condition is evaluated right after its source node ran: the source counts as upstream.
    const upstream = new Set(graph.ancestors(edge.source));
    upstream.add(edge.source);
    checkValue(edge.condition, graph, problems, {
      upstream,
      self: null,
      inLoop: (graph.enclosingLoops.get(edge.source) ?? []).length > 0,
      edge_id: edge.id,
      basePath: ['edges', i, 'condition'],
    });
  });
}

function checkValue(value: unknown, graph: GraphAnalysis, problems: DefinitionProblem[], scope: Scope) {
  for (const { path, source } of collectTemplateStrings(value)) {
    const where = {
      ...(scope.node_id ? { node_id: scope.node_id } : {}),
      ...(scope.edge_id ? { edge_id: scope.edge_id } : {}),
      path: [...scope.basePath, ...path].join('.'),
    };
    let expressions: TemplateExpression[];
    try {
      expressions = parseTemplate(source).parts.filter((p): p is TemplateExpression => typeof p !== 'string');
    } catch (err) {
      const message = err instanceof TemplateSyntaxError ? err.message : String(err);
      problems.push({ code: 'invalid_template', message, ...where });
      continue;
    }
    for (const expr of expressions) {
      const problem = checkExpression(expr, graph, scope);
      if (problem) problems.push({ ...problem, ...where });
    }
  }
}

function checkExpression(
  expr: TemplateExpression,
  graph: GraphAnalysis,
  scope: Scope,
): Pick<DefinitionProblem, 'code' | 'message'> | null {
  const shown = `{{${formatPath(expr.root, expr.path)}}}`;
  const first = expr.path[0];
  const fieldProblem = (kind: keyof typeof allowedFields, rootName: string) =>
    first !== undefined && !allowedFields[kind].includes(String(first))
      ? {
          code: 'unknown_reference' as const,
          message: `${shown}: "${rootName}" has ${allowedFields[kind].map((f) => `"${f}"`).join(', ')}, not "${String(first)}"`,
        }
      : null;

  if (expr.root === 'trigger') return fieldProblem('trigger', 'trigger');
  if (expr.root === 'loop') {
    if (!scope.inLoop) {
      return {
        code: 'loop_reference_outside_loop',
        message: `${shown} is only available inside a loop body`,
      };
    }
    return fieldProblem('loop', 'loop');
  }
  const nodeId = nodeIdFromRoot(expr.root);
  if (nodeId === null) {
    return {
      code: 'unknown_reference',
      message: `${shown}: unknown name "${expr.root}" (use trigger, loop or node_<id>)`,
    };
  }
  if (!graph.nodeById.has(nodeId)) {
    return {
      code: 'unknown_reference',
      message: `${shown} refers to a node "${nodeId}" that does not exist`,
    };
  }
  if (nodeId === scope.self) {
    return { code: 'reference_not_upstream', message: `${shown}: a node cannot use its own output` };
  }
  if (!scope.upstream.has(nodeId)) {
    return {
      code: 'reference_not_upstream',
      message: `${shown}: node "${nodeId}" does not run before this point (it is not upstream)`,
    };
  }
  return fieldProblem('node', expr.root);
}
