import { analyzeGraph, type DefinitionEdge, type DefinitionNode } from '@agentflow/contracts';
import { outputFields } from './catalog';

/**
 * The `{{...}}` paths a node may use (contracts' template language, checked by the validator the same
 * way): the trigger payload, the outputs of nodes upstream of it (never itself or nodes after it),
 * and `loop.*` only inside a loop's "each" body.
 */
export interface VariableOption {
  /** What goes between the braces: `node_reply.output.text`. */
  path: string;
  group: string;
}

const keyPath = (key: string) => (/^[A-Za-z0-9_$-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

function triggerKeys(trigger: DefinitionNode | undefined): string[] {
  if (!trigger) return [];
  const keys = new Set<string>();
  const sample = trigger.config.sample_data ?? trigger.config.data;
  if (sample && typeof sample === 'object' && !Array.isArray(sample))
    for (const k of Object.keys(sample)) keys.add(k);
  const schema = trigger.config.input_schema as { properties?: Record<string, unknown> } | undefined;
  for (const k of Object.keys(schema?.properties ?? {})) keys.add(k);
  return [...keys];
}

export function variableOptions(
  def: { nodes: DefinitionNode[]; edges: DefinitionEdge[] },
  nodeId: string,
): VariableOption[] {
  const graph = analyzeGraph(def);
  if (!graph.nodeById.has(nodeId)) return [];
  const out: VariableOption[] = [];
  const trigger = graph.triggers[0];
  out.push({ path: 'trigger.data', group: 'Trigger' });
  for (const k of triggerKeys(trigger)) out.push({ path: `trigger.data${keyPath(k)}`, group: 'Trigger' });
  out.push({ path: 'trigger.type', group: 'Trigger' });

  if ((graph.enclosingLoops.get(nodeId) ?? []).length > 0) {
    for (const f of ['item', 'index', 'count']) out.push({ path: `loop.${f}`, group: 'Loop' });
  }

  const upstream = graph.ancestors(nodeId);
  // Definition order keeps the list stable while the user edits.
  for (const n of def.nodes) {
    if (!upstream.has(n.id) || n.id === nodeId || n.type === 'trigger') continue;
    const group = n.label ? `${n.label} (${n.id})` : n.id;
    const root = `node_${n.id}`;
    out.push({ path: `${root}.output`, group });
    for (const f of outputFields(n.type, n.subtype, n.config)) {
      out.push({ path: `${root}.output${f.split('.').map(keyPath).join('')}`, group });
    }
  }
  return out;
}

/** Inserts `{{path}}` into `value` at the caret (or replacing the selection); returns the new caret. */
export function insertVariable(
  value: string,
  path: string,
  selectionStart: number | null,
  selectionEnd: number | null,
): { value: string; caret: number } {
  const token = `{{${path}}}`;
  const start = selectionStart ?? value.length;
  const end = selectionEnd ?? start;
  return { value: value.slice(0, start) + token + value.slice(end), caret: start + token.length };
}
