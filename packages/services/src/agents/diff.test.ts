import { describe, expect, it } from 'vitest';
import { diffDefinitions } from './diff';

const node = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'transform',
  subtype: 'set',
  label: id,
  config: { values: { a: 1, b: 2 } },
  position: { x: 0, y: 0 },
  ...extra,
});

describe('diffDefinitions', () => {
  it('matches by id and names the fields that changed, ignoring key order', () => {
    const from = {
      nodes: [node('keep'), node('moved'), node('gone')],
      edges: [{ id: 'e1', source: 'keep', target: 'moved' }],
    };
    const to = {
      nodes: [
        node('keep', { config: { values: { b: 2, a: 1 } } }),
        node('moved', { position: { x: 5, y: 0 }, label: 'Moved' }),
        node('new'),
      ],
      edges: [{ id: 'e1', source: 'keep', target: 'new', source_handle: null }],
    };
    const diff = diffDefinitions(from, to);
    expect(diff.nodes.added.map((n) => n.id)).toEqual(['new']);
    expect(diff.nodes.removed.map((n) => n.id)).toEqual(['gone']);
    expect(diff.nodes.changed.map((c) => [c.id, c.fields])).toEqual([['moved', ['label', 'position']]]);
    expect(diff.edges.changed.map((c) => [c.id, c.fields])).toEqual([['e1', ['target']]]);
  });

  it('treats a malformed definition as empty', () => {
    expect(diffDefinitions(null, { nodes: [node('a')], edges: [] }).nodes.added).toHaveLength(1);
  });
});
