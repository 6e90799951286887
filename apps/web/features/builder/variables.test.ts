import { type DefinitionEdge, type DefinitionNode, validateDefinition } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import { insertVariable, variableOptions } from './variables';

const node = (
  id: string,
  type: string,
  subtype: string,
  config: Record<string, unknown> = {},
): DefinitionNode => ({
  id,
  type,
  subtype,
  label: id,
  config,
  position: { x: 0, y: 0 },
});
const edge = (source: string, target: string, source_handle?: string): DefinitionEdge => ({
  id: `${source}-${source_handle ?? ''}-${target}`,
  source,
  target,
  ...(source_handle ? { source_handle } : {}),
});

// trigger -> classify -> loop (each: body -> loop) (done: after) ; side node unconnected
const def = {
  nodes: [
    node('trigger', 'trigger', 'manual', { sample_data: { message: 'hi', 'odd key': 1 } }),
    node('classify', 'ai', 'classify', { model: 'echo', user_prompt: 'x', labels: ['a', 'b'] }),
    node('loop', 'logic', 'loop', { items: '{{trigger.data.items}}' }),
    node('body', 'ai', 'chat', { model: 'echo', user_prompt: '{{loop.item}}' }),
    node('after', 'output', 'respond', { body: {} }),
    node('side', 'transform', 'set', { values: { a: 1 } }),
  ],
  edges: [
    edge('trigger', 'classify'),
    edge('classify', 'loop', 'a'),
    edge('loop', 'body', 'each'),
    edge('body', 'loop'),
    edge('loop', 'after', 'done'),
  ],
};
const paths = (nodeId: string) => variableOptions(def, nodeId).map((v) => v.path);

describe('variable picker paths', () => {
  it('offers the trigger payload with its sample keys to every node', () => {
    expect(paths('classify')).toEqual(
      expect.arrayContaining(['trigger.data', 'trigger.data.message', 'trigger.data["odd key"]']),
    );
  });

  it('offers only upstream nodes: never the node itself or nodes after it', () => {
    expect(paths('classify').filter((p) => p.startsWith('node_'))).toEqual([]);
    const loopPaths = paths('loop');
    expect(loopPaths).toEqual(expect.arrayContaining(['node_classify.output', 'node_classify.output.label']));
    expect(
      loopPaths.some(
        (p) => p.startsWith('node_loop') || p.startsWith('node_body') || p.startsWith('node_after'),
      ),
    ).toBe(false);
    const afterPaths = paths('after');
    expect(afterPaths).toEqual(expect.arrayContaining(['node_classify.output.label', 'node_loop.output']));
    expect(afterPaths.some((p) => p.startsWith('node_side'))).toBe(false);
  });

  it('offers loop.item / loop.index only inside a loop body', () => {
    expect(paths('body')).toEqual(expect.arrayContaining(['loop.item', 'loop.index']));
    expect(paths('after').some((p) => p.startsWith('loop.'))).toBe(false);
    expect(paths('loop').some((p) => p.startsWith('loop.'))).toBe(false);
  });

  it('every offered path passes the validator where it is offered', () => {
    for (const target of ['classify', 'loop', 'body', 'after']) {
      for (const path of paths(target)) {
        const nodes = def.nodes.map((n) =>
          n.id === target
            ? { ...n, label: `{{${path}}}`, config: { ...n.config, system_prompt: `{{${path}}}` } }
            : n,
        );
        const problems = validateDefinition({ nodes, edges: def.edges }).problems.filter(
          (p) =>
            p.node_id === target &&
            ['unknown_reference', 'reference_not_upstream', 'loop_reference_outside_loop'].includes(p.code),
        );
        expect(problems, `${path} at ${target}`).toEqual([]);
      }
    }
  });

  it('inserts {{path}} at the caret or over the selection', () => {
    expect(insertVariable('Hi !', 'trigger.data.name', 3, 3)).toEqual({
      value: 'Hi {{trigger.data.name}}!',
      caret: 3 + '{{trigger.data.name}}'.length,
    });
    expect(insertVariable('Hi XX', 'loop.item', 3, 5).value).toBe('Hi {{loop.item}}');
    expect(insertVariable('end', 'loop.item', null, null).value).toBe('end{{loop.item}}');
  });
});
