import { definitionIdPattern } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import type { BuilderNode } from './definition';
import { COALESCE_MS, createBuilderStore, HISTORY_LIMIT, PASTE_OFFSET } from './store';

function setup() {
  let t = 0;
  const clock = { advance: (ms: number) => (t += ms) };
  const store = createBuilderStore({ now: () => t });
  return { store, clock, s: () => store.getState() };
}

function threeNodes() {
  const ctx = setup();
  const trigger = ctx.s().addNode('trigger', 'manual', { x: 0, y: 0 });
  const ai = ctx.s().addNode('ai', 'chat', { x: 300, y: 0 });
  const out = ctx.s().addNode('output', 'respond', { x: 600, y: 0 });
  return { ...ctx, trigger, ai, out };
}

describe('builder store: nodes and edges', () => {
  it('adds nodes with readable, valid, unique ids and the catalog defaults', () => {
    const { s, trigger, ai, out } = threeNodes();
    expect([trigger, ai, out]).toEqual(['trigger_1', 'chat_1', 'respond_1']);
    for (const id of [trigger, ai, out]) expect(id).toMatch(definitionIdPattern);
    expect(s().nodes.find((n) => n.id === ai)?.data).toMatchObject({
      type: 'ai',
      subtype: 'chat',
      label: 'AI chat',
      config: { model: 'echo' },
    });
    expect(s().selectedNodeIds).toEqual([out]);
    expect(s().addNode('ai', 'chat', { x: 0, y: 0 })).toBe('chat_2');
  });

  it('connects handles, refuses self loops, edges into the trigger and duplicates', () => {
    const { s, trigger, ai, out } = threeNodes();
    expect(s().connect({ source: trigger, target: ai, sourceHandle: null, targetHandle: null })).toBe(true);
    expect(s().connect({ source: trigger, target: ai, sourceHandle: null, targetHandle: null })).toBe(false);
    expect(s().connect({ source: ai, target: ai, sourceHandle: null, targetHandle: null })).toBe(false);
    expect(s().connect({ source: out, target: trigger, sourceHandle: null, targetHandle: null })).toBe(false);
    const ifId = s().addNode('logic', 'if_else', { x: 0, y: 0 });
    expect(s().connect({ source: ifId, target: out, sourceHandle: 'true', targetHandle: null })).toBe(true);
    expect(s().connect({ source: ifId, target: out, sourceHandle: 'false', targetHandle: null })).toBe(true);
    expect(s().edges.map((e) => [e.source, e.sourceHandle ?? null, e.target])).toEqual([
      [trigger, null, ai],
      [ifId, 'true', out],
      [ifId, 'false', out],
    ]);
    for (const e of s().edges) expect(e.id).toMatch(definitionIdPattern);
    expect(new Set(s().edges.map((e) => e.id)).size).toBe(3);
  });

  it('deletes the selection with the edges of deleted nodes, in one undo step', () => {
    const { s, trigger, ai, out } = threeNodes();
    s().connect({ source: trigger, target: ai, sourceHandle: null, targetHandle: null });
    s().connect({ source: ai, target: out, sourceHandle: null, targetHandle: null });
    s().select([ai]);
    s().deleteSelection();
    expect(s().nodes.map((n) => n.id)).toEqual([trigger, out]);
    expect(s().edges).toEqual([]);
    s().undo();
    expect(s().nodes.map((n) => n.id)).toEqual([trigger, ai, out]);
    expect(s().edges).toHaveLength(2);
  });
});

describe('builder store: undo / redo', () => {
  it('undoes and redoes adds, connects and edits in order, and a new change clears redo', () => {
    const { s, trigger, ai } = threeNodes();
    s().connect({ source: trigger, target: ai, sourceHandle: null, targetHandle: null });
    s().updateNode(ai, { label: 'Reply' });
    expect(s().nodes.find((n) => n.id === ai)?.data.label).toBe('Reply');

    s().undo();
    expect(s().nodes.find((n) => n.id === ai)?.data.label).toBe('AI chat');
    s().undo();
    expect(s().edges).toHaveLength(0);
    s().undo();
    expect(s().nodes).toHaveLength(2);
    s().redo();
    expect(s().nodes).toHaveLength(3);
    s().redo();
    expect(s().edges).toHaveLength(1);
    expect(s().future).toHaveLength(1);

    s().updateNode(ai, { label: 'Other' });
    expect(s().future).toHaveLength(0);
    s().redo(); // nothing to redo: no change
    expect(s().nodes.find((n) => n.id === ai)?.data.label).toBe('Other');
  });

  it('coalesces typing in one field into one step, but not edits far apart in time', () => {
    const { s, clock, ai } = threeNodes();
    const before = s().past.length;
    for (const text of ['H', 'He', 'Hel', 'Hell', 'Hello']) {
      s().updateNode(ai, { config: { model: 'echo', user_prompt: text } }, 'user_prompt');
      clock.advance(100);
    }
    expect(s().past.length).toBe(before + 1);
    clock.advance(COALESCE_MS + 1);
    s().updateNode(ai, { config: { model: 'echo', user_prompt: 'Hello!' } }, 'user_prompt');
    expect(s().past.length).toBe(before + 2);
    s().undo();
    expect(s().nodes.find((n) => n.id === ai)?.data.config.user_prompt).toBe('Hello');
    s().undo();
    expect(s().nodes.find((n) => n.id === ai)?.data.config.user_prompt).toBe('');
  });

  it('records a drag as one step when it ends, and ignores selection and measuring', () => {
    const { s, ai } = threeNodes();
    const before = s().past.length;
    const rev = s().revision;
    s().onNodesChange([{ type: 'select', id: ai, selected: true }]);
    s().onNodesChange([{ type: 'dimensions', id: ai, dimensions: { width: 220, height: 72 } }]);
    expect(s().past.length).toBe(before);
    expect(s().revision).toBe(rev);
    for (let x = 310; x <= 400; x += 10) {
      s().onNodesChange([{ type: 'position', id: ai, position: { x, y: 0 }, dragging: true }]);
    }
    expect(s().past.length).toBe(before);
    s().onNodesChange([{ type: 'position', id: ai, dragging: false }]);
    expect(s().past.length).toBe(before + 1);
    expect(s().revision).toBe(rev + 1);
    expect(s().nodes.find((n) => n.id === ai)?.position).toEqual({ x: 400, y: 0 });
    s().undo();
    expect(s().nodes.find((n) => n.id === ai)?.position).toEqual({ x: 300, y: 0 });
  });

  it('keeps at most HISTORY_LIMIT steps', () => {
    const { s } = setup();
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) s().addNode('logic', 'merge', { x: i, y: 0 });
    expect(s().past.length).toBe(HISTORY_LIMIT);
  });

  it('bumps the revision on every content change (autosave watches it), undo and redo included', () => {
    const { s, ai } = threeNodes();
    const r0 = s().revision;
    s().select([ai]);
    expect(s().revision).toBe(r0);
    s().updateNode(ai, { label: 'x' });
    s().undo();
    s().redo();
    expect(s().revision).toBe(r0 + 3);
  });
});

describe('builder store: copy / paste', () => {
  it('pastes copies with fresh ids, offset positions, internal edges rewired and independent configs', () => {
    const { s, trigger, ai, out } = threeNodes();
    s().connect({ source: trigger, target: ai, sourceHandle: null, targetHandle: null });
    s().connect({ source: ai, target: out, sourceHandle: null, targetHandle: null });
    s().select([ai, out]);
    expect(s().copy()).toBe(2);

    const first = s().paste();
    expect(first).toEqual(['chat_2', 'respond_2']);
    const byId = (id: string) => s().nodes.find((n) => n.id === id) as BuilderNode;
    expect(byId('chat_2').position).toEqual({ x: 300 + PASTE_OFFSET, y: PASTE_OFFSET });
    expect(s().selectedNodeIds).toEqual(first);
    expect(byId(ai).selected).toBe(false);
    // The edge between the copied nodes is copied; the one from the (uncopied) trigger is not.
    const pastedEdges = s().edges.filter((e) => first.includes(e.source) || first.includes(e.target));
    expect(pastedEdges.map((e) => [e.source, e.target])).toEqual([['chat_2', 'respond_2']]);
    expect(new Set(s().edges.map((e) => e.id)).size).toBe(s().edges.length);

    s().updateNode('chat_2', { config: { ...byId('chat_2').data.config, user_prompt: 'changed' } });
    expect(byId(ai).data.config.user_prompt).toBe('');

    const second = s().paste();
    expect(second).toEqual(['chat_3', 'respond_3']);
    expect(byId('chat_3').position).toEqual({ x: 300 + 2 * PASTE_OFFSET, y: 2 * PASTE_OFFSET });
    for (const id of [...first, ...second]) expect(id).toMatch(definitionIdPattern);

    s().undo();
    expect(s().nodes.some((n) => n.id === 'chat_3')).toBe(false);
  });

  it('copies nothing without a selection', () => {
    const { s } = threeNodes();
    s().select([]);
    expect(s().copy()).toBe(0);
    expect(s().paste()).toEqual([]);
  });
});

describe('builder store: problems', () => {
  it('indexes the validator problems by node and edge, the rest as general', () => {
    const { s } = setup();
    s().setProblems([
      { code: 'unreachable_node', message: 'Node "a" cannot be reached', node_id: 'a' },
      { code: 'trigger_incoming_edge', message: 'into trigger', node_id: 't', edge_id: 'e1' },
      { code: 'trigger_missing', message: 'no trigger' },
    ]);
    expect(s().problems.nodes).toEqual({ a: ['Node "a" cannot be reached'], t: ['into trigger'] });
    expect(s().problems.edges).toEqual({ e1: ['into trigger'] });
    expect(s().problems.general).toEqual(['no trigger']);
    expect(s().problems.count).toBe(3);
  });
});
