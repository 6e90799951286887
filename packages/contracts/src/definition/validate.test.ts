import { describe, expect, it } from 'vitest';
import { chat, codes, edge, ifElse, loop, node, problems, respond, start } from './test-builders';
import { validateDefinition } from './validate';

describe('validateDefinition', () => {
  it('accepts a valid definition and returns configs with defaults', () => {
    const res = validateDefinition({
      nodes: [start, chat('ask'), respond('out', '{{node_ask.output.text}}')],
      edges: [edge('e1', 'start', 'ask'), edge('e2', 'ask', 'out')],
    });
    expect(res.problems).toEqual([]);
    expect(res.ok).toBe(true);
    expect(res.definition?.nodes[1]?.config).toMatchObject({
      user_prompt: 'Hello',
      temperature: 0.7,
      max_tokens: 1024,
    });
  });

  it('reports every problem at once, each with its node or edge', () => {
    const res = problems({
      nodes: [chat('lonely'), node('x', 'nope', 'nope'), node('c', 'ai', 'classify', { user_prompt: 'a' })],
      edges: [edge('e1', 'lonely', 'ghost')],
    });
    expect(res.map((p) => p.code).sort()).toEqual(
      ['edge_target_missing', 'invalid_config', 'trigger_missing', 'unknown_node_type'].sort(),
    );
    expect(res.find((p) => p.code === 'invalid_config')).toMatchObject({
      node_id: 'c',
      path: 'nodes.2.config.labels',
    });
    expect(res.find((p) => p.code === 'edge_target_missing')).toMatchObject({ edge_id: 'e1' });
  });

  it('invalid_definition: not a definition at all', () => {
    expect(codes(null)).toEqual(['invalid_definition']);
    expect(problems({ nodes: [] })[0]).toMatchObject({ code: 'invalid_definition', path: 'edges' });
  });

  it('invalid_node / invalid_edge: structural problems carry a path and the id', () => {
    const res = problems({
      nodes: [start, { id: 'bad', type: 'ai', subtype: 'chat', config: {} }],
      edges: [{ id: 'e9' }],
    });
    expect(res).toContainEqual(
      expect.objectContaining({ code: 'invalid_node', node_id: 'bad', path: 'nodes.1.label' }),
    );
    expect(res).toContainEqual(
      expect.objectContaining({ code: 'invalid_edge', edge_id: 'e9', path: 'edges.0.source' }),
    );
  });

  it('duplicate_node_id / duplicate_edge_id / duplicate_edge', () => {
    const res = codes({
      nodes: [start, chat('a'), chat('a')],
      edges: [edge('e1', 'start', 'a'), edge('e1', 'start', 'a'), edge('e2', 'start', 'a')],
    });
    expect(res).toEqual(['duplicate_node_id', 'duplicate_edge_id', 'duplicate_edge']);
  });

  it('unknown_node_type / unknown_node_subtype', () => {
    const res = problems({
      nodes: [start, node('a', 'magic', 'x'), node('b', 'ai', 'poem')],
      edges: [edge('e1', 'start', 'a'), edge('e2', 'start', 'b')],
    });
    expect(res).toEqual([
      expect.objectContaining({ code: 'unknown_node_type', node_id: 'a', path: 'nodes.1.type' }),
      expect.objectContaining({ code: 'unknown_node_subtype', node_id: 'b', path: 'nodes.2.subtype' }),
    ]);
  });

  it('invalid_config: one problem per zod issue, with the config path', () => {
    const res = problems({
      nodes: [
        start,
        node('h', 'action', 'http_request', { url: 'https://x.test', method: 'FETCH', timeout_ms: 5 }),
      ],
      edges: [edge('e1', 'start', 'h')],
    });
    expect(res.map((p) => p.path).sort()).toEqual(['nodes.1.config.method', 'nodes.1.config.timeout_ms']);
    expect(res.every((p) => p.code === 'invalid_config' && p.node_id === 'h')).toBe(true);
  });

  it('edge_source_missing / edge_target_missing', () => {
    expect(
      codes({ nodes: [start], edges: [edge('e1', 'ghost', 'start'), edge('e2', 'start', 'void')] }),
    ).toEqual(['edge_source_missing', 'edge_target_missing']);
  });

  it('invalid_source_handle: unknown branch, or a handle on a node without branches', () => {
    const res = problems({
      nodes: [start, ifElse('if'), chat('a'), chat('b')],
      edges: [
        edge('e1', 'start', 'if', { source_handle: 'yes' }),
        edge('e2', 'if', 'a', { source_handle: 'maybe' }),
        edge('e3', 'if', 'b', { source_handle: 'false' }),
      ],
    });
    expect(res.map((p) => [p.code, p.edge_id])).toEqual([
      ['invalid_source_handle', 'e1'],
      ['invalid_source_handle', 'e2'],
    ]);
    expect(res[1]?.message).toContain('true, false');
  });

  it('missing_source_handle: branching nodes need a handle on every edge; optional ones do not', () => {
    const classify = node('c', 'ai', 'classify', { user_prompt: 'x', labels: ['a', 'b'] });
    expect(
      codes({
        nodes: [start, ifElse('if'), classify, chat('a')],
        edges: [edge('e1', 'start', 'if'), edge('e2', 'if', 'c'), edge('e3', 'c', 'a')],
      }),
    ).toEqual(['missing_source_handle']);
  });

  it('trigger_missing / multiple_triggers / trigger_incoming_edge', () => {
    expect(codes({ nodes: [chat('a')], edges: [] })).toEqual(['trigger_missing']);
    const second = node('start2', 'trigger', 'api');
    expect(problems({ nodes: [start, second], edges: [] })).toContainEqual(
      expect.objectContaining({ code: 'multiple_triggers', node_id: 'start2' }),
    );
    expect(
      codes({ nodes: [start, chat('a')], edges: [edge('e1', 'start', 'a'), edge('e2', 'a', 'start')] }),
    ).toContain('trigger_incoming_edge');
  });

  it('unreachable_node', () => {
    expect(
      problems({ nodes: [start, chat('a'), chat('island')], edges: [edge('e1', 'start', 'a')] }),
    ).toEqual([expect.objectContaining({ code: 'unreachable_node', node_id: 'island' })]);
  });

  it('cycle: refused outside a loop body, allowed back into a loop', () => {
    const cyc = problems({
      nodes: [start, chat('a'), chat('b')],
      edges: [edge('e1', 'start', 'a'), edge('e2', 'a', 'b'), edge('e3', 'b', 'a')],
    });
    expect(cyc).toEqual([expect.objectContaining({ code: 'cycle', node_id: 'a' })]);
    expect(cyc[0]?.message).toContain('"a" -> "b"');
    expect(
      codes({
        nodes: [start, loop('each'), chat('body'), respond('out')],
        edges: [
          edge('e1', 'start', 'each'),
          edge('e2', 'each', 'body', { source_handle: 'each' }),
          edge('e3', 'body', 'each'),
          edge('e4', 'each', 'out', { source_handle: 'done' }),
        ],
      }),
    ).toEqual([]);
  });

  it('cycle: a loop "done" path that comes back is still a cycle', () => {
    expect(
      codes({
        nodes: [start, loop('l'), chat('after')],
        edges: [
          edge('e1', 'start', 'l'),
          edge('e2', 'l', 'after', { source_handle: 'done' }),
          edge('e3', 'after', 'l'),
        ],
      }),
    ).toEqual(['cycle']);
  });

  it('loop_body_entry: a body node reached from outside the body', () => {
    const res = problems({
      nodes: [start, loop('l'), chat('body'), respond('out')],
      edges: [
        edge('e1', 'start', 'l'),
        edge('e2', 'l', 'body', { source_handle: 'each' }),
        edge('e3', 'body', 'out'),
        edge('e4', 'l', 'out', { source_handle: 'done' }),
      ],
    });
    expect(res).toEqual([
      expect.objectContaining({ code: 'loop_body_entry', edge_id: 'e4', node_id: 'out' }),
    ]);
  });

  it('merge_requires_plain_edges: mode "all" cannot wait for a branch', () => {
    const merge = node('m', 'logic', 'merge', { mode: 'all' });
    expect(
      problems({
        nodes: [start, ifElse('if'), merge],
        edges: [
          edge('e1', 'start', 'if'),
          edge('e2', 'if', 'm', { source_handle: 'true' }),
          edge('e3', 'if', 'm', { source_handle: 'false' }),
        ],
      }).map((p) => [p.code, p.edge_id]),
    ).toEqual([
      ['merge_requires_plain_edges', 'e2'],
      ['merge_requires_plain_edges', 'e3'],
    ]);
  });

  it('validates the knowledge.search node: base ids are uuids', () => {
    const kb = '0b0d6a52-8f0e-4c55-9a3f-2f1f6a0c1d11';
    const search = (ids: string[]) =>
      codes({
        nodes: [
          start,
          node('k', 'knowledge', 'search', { knowledge_base_ids: ids, query: '{{trigger.data.q}}' }),
        ],
        edges: [edge('e1', 'start', 'k')],
      });
    expect(search([kb])).toEqual([]);
    expect(search(['kb1'])).toEqual(['invalid_config']);
  });
});
