import { describe, expect, it } from 'vitest';
import { chat, codes, edge, ifElse, loop, problems, respond, start } from './test-builders';

describe('validateDefinition: {{...}} references', () => {
  it('invalid_template', () => {
    expect(
      problems({ nodes: [start, chat('a', 'Hi {{trigger.data')], edges: [edge('e1', 'start', 'a')] }),
    ).toEqual([
      expect.objectContaining({ code: 'invalid_template', node_id: 'a', path: 'nodes.1.config.user_prompt' }),
    ]);
  });

  it('unknown_reference: bad root, missing node, unknown field', () => {
    const res = problems({
      nodes: [
        start,
        chat('a', '{{env.KEY}} {{node_ghost.output}} {{node_start.result}} {{trigger.payload}}'),
      ],
      edges: [edge('e1', 'start', 'a')],
    });
    expect(res.map((p) => p.code)).toEqual([
      'unknown_reference',
      'unknown_reference',
      'unknown_reference',
      'unknown_reference',
    ]);
    expect(res[0]?.message).toContain('use trigger, loop or node_<id>');
    expect(res[1]?.message).toContain('"ghost" that does not exist');
  });

  it('reference_not_upstream: a sibling branch, a later node, itself', () => {
    const res = problems({
      nodes: [
        start,
        ifElse('if'),
        chat('yes'),
        chat('no', '{{node_yes.output.text}}'),
        chat('later'),
        chat('me', '{{node_me.output}}'),
      ],
      edges: [
        edge('e1', 'start', 'if'),
        edge('e2', 'if', 'yes', { source_handle: 'true' }),
        edge('e3', 'if', 'no', { source_handle: 'false' }),
        edge('e4', 'yes', 'later'),
        edge('e5', 'later', 'me'),
      ],
    });
    expect(res.map((p) => [p.code, p.node_id])).toEqual([
      ['reference_not_upstream', 'no'],
      ['reference_not_upstream', 'me'],
    ]);
  });

  it('references to upstream nodes and the trigger are fine', () => {
    expect(
      codes({
        nodes: [
          start,
          chat('a', '{{trigger.data.q}}'),
          chat('b', '{{node_a.output.text}} {{node_start.output.x}}'),
        ],
        edges: [edge('e1', 'start', 'a'), edge('e2', 'a', 'b')],
      }),
    ).toEqual([]);
  });

  it('loop_reference_outside_loop; allowed inside the body; body outputs are not upstream of "done"', () => {
    const res = problems({
      nodes: [
        start,
        chat('early', '{{loop.item}}'),
        loop('l'),
        chat('body', '{{loop.item}} {{node_l.output}}'),
        respond('out', '{{node_body.output}}'),
      ],
      edges: [
        edge('e1', 'start', 'early'),
        edge('e2', 'early', 'l'),
        edge('e3', 'l', 'body', { source_handle: 'each' }),
        edge('e4', 'l', 'out', { source_handle: 'done' }),
      ],
    });
    expect(res.map((p) => [p.code, p.node_id])).toEqual([
      ['loop_reference_outside_loop', 'early'],
      ['reference_not_upstream', 'out'],
    ]);
  });

  it('checks references in edge conditions against the edge source', () => {
    const res = problems({
      nodes: [start, chat('a'), chat('b')],
      edges: [
        edge('e1', 'start', 'a', { condition: { left: '{{node_a.output.text}}', operator: 'exists' } }),
        edge('e2', 'a', 'b', { condition: { left: '{{node_a.output.text}}', operator: 'exists' } }),
      ],
    });
    expect(res).toEqual([
      expect.objectContaining({
        code: 'reference_not_upstream',
        edge_id: 'e1',
        path: 'edges.0.condition.left',
      }),
    ]);
  });
});
