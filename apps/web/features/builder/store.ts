import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from '@xyflow/react';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { defaultConfig, nodeTitle } from './catalog';
import type { BuilderEdge, BuilderNode, BuilderNodeData } from './definition';
import { freshId, slug } from './ids';

/**
 * The canvas state, framework-free (zustand/vanilla): nodes, edges, selection, undo/redo history,
 * clipboard, the validator's problems and the last run's per-node status. React binds to it through
 * `useBuilder(selector)`; tests drive it directly.
 */

export interface Snapshot {
  nodes: BuilderNode[];
  edges: BuilderEdge[];
}

export type RunNodeStatus = 'running' | 'completed' | 'failed' | 'waiting';
export interface RunNodeState {
  status: RunNodeStatus;
  output?: unknown;
  error?: unknown;
}

export interface Problem {
  code: string;
  message: string;
  node_id?: string | undefined;
  edge_id?: string | undefined;
  path?: string | undefined;
}

export interface ProblemIndex {
  nodes: Record<string, string[]>;
  edges: Record<string, string[]>;
  /** Problems of the whole graph (no node or edge named), e.g. a missing trigger. */
  general: string[];
  count: number;
  list: readonly Problem[];
}

export const HISTORY_LIMIT = 100;
/** Edits with the same key within this window (typing in one field) are one undo step. */
export const COALESCE_MS = 1000;
export const PASTE_OFFSET = 40;

export interface BuilderState extends Snapshot {
  past: Snapshot[];
  future: Snapshot[];
  /** Bumped by every change that alters the definition (not selection or measuring): autosave watches it. */
  revision: number;
  selectedNodeIds: string[];
  selectedEdgeIds: string[];
  clipboard: Snapshot | null;
  pasteCount: number;
  problems: ProblemIndex;
  run: Record<string, RunNodeState>;

  load(snapshot: Snapshot): void;
  onNodesChange(changes: NodeChange<BuilderNode>[]): void;
  onEdgesChange(changes: EdgeChange<BuilderEdge>[]): void;
  connect(connection: Connection): boolean;
  canConnect(connection: Connection | BuilderEdge): boolean;
  addNode(type: string, subtype: string, position: XYPosition): string;
  updateNode(
    id: string,
    patch: Partial<Pick<BuilderNodeData, 'label' | 'config'>>,
    coalesceKey?: string,
  ): void;
  removeEdge(id: string): void;
  deleteSelection(): void;
  select(nodeIds: string[], edgeIds?: string[]): void;
  undo(): void;
  redo(): void;
  copy(): number;
  paste(): string[];
  setPositions(positions: Record<string, XYPosition>): void;
  setProblems(problems: readonly Problem[]): void;
  setRun(run: Record<string, RunNodeState>): void;
}

export const emptyProblems: ProblemIndex = { nodes: {}, edges: {}, general: [], count: 0, list: [] };

function push(map: Record<string, string[]>, key: string, message: string) {
  const list = map[key];
  if (list) list.push(message);
  else map[key] = [message];
}

export function indexProblems(problems: readonly Problem[]): ProblemIndex {
  const out: ProblemIndex = { nodes: {}, edges: {}, general: [], count: problems.length, list: problems };
  for (const p of problems) {
    if (p.node_id) push(out.nodes, p.node_id, p.message);
    if (p.edge_id) push(out.edges, p.edge_id, p.message);
    if (!p.node_id && !p.edge_id) out.general.push(p.message);
  }
  return out;
}

function edgeId(source: string, handle: string | null | undefined, target: string, taken: Set<string>) {
  const base = slug(`${source}-${handle ? `${handle}-` : ''}${target}`).slice(0, 56);
  if (!taken.has(base)) return base;
  return freshId(base, taken);
}

export interface BuilderStoreOptions {
  now?: () => number;
}

export function createBuilderStore(opts: BuilderStoreOptions = {}): StoreApi<BuilderState> {
  const now = opts.now ?? (() => Date.now());
  let lastCoalesce: { key: string; at: number } | null = null;
  /** The graph as it was when the current drag started (pushed to history when the drag ends). */
  let dragStart: Snapshot | null = null;

  return createStore<BuilderState>()((set, get) => {
    const snapshot = (): Snapshot => ({ nodes: get().nodes, edges: get().edges });
    /** Records the current graph as an undo step before a change. */
    const record = (coalesceKey?: string) => {
      const t = now();
      if (
        coalesceKey &&
        lastCoalesce &&
        lastCoalesce.key === coalesceKey &&
        t - lastCoalesce.at < COALESCE_MS
      ) {
        lastCoalesce.at = t;
        return;
      }
      lastCoalesce = coalesceKey ? { key: coalesceKey, at: t } : null;
      const past = [...get().past, snapshot()];
      if (past.length > HISTORY_LIMIT) past.shift();
      set({ past, future: [] });
    };
    const commit = (next: Partial<Snapshot> & Partial<BuilderState>) =>
      set((s) => ({ ...next, revision: s.revision + 1 }));

    const selectionOf = (nodes: BuilderNode[], edges: BuilderEdge[]) => ({
      selectedNodeIds: nodes.filter((n) => n.selected).map((n) => n.id),
      selectedEdgeIds: edges.filter((e) => e.selected).map((e) => e.id),
    });

    return {
      nodes: [],
      edges: [],
      past: [],
      future: [],
      revision: 0,
      selectedNodeIds: [],
      selectedEdgeIds: [],
      clipboard: null,
      pasteCount: 0,
      problems: emptyProblems,
      run: {},

      load({ nodes, edges }) {
        lastCoalesce = null;
        dragStart = null;
        set({ nodes, edges, past: [], future: [], selectedNodeIds: [], selectedEdgeIds: [], run: {} });
      },

      onNodesChange(changes) {
        let content = false;
        let selection = false;
        let dragEnded = false;
        const removals: string[] = [];
        for (const c of changes) {
          if (c.type === 'position') {
            if (c.dragging && !dragStart) dragStart = snapshot();
            if (c.dragging === false) dragEnded = true;
            else if (!c.dragging && c.position) content = true;
          } else if (c.type === 'select') selection = true;
          else if (c.type === 'remove') removals.push(c.id);
          else if (c.type === 'add' || c.type === 'replace') content = true;
        }
        if (removals.length) {
          // Removing a node takes its edges along, in one undo step.
          record();
          const gone = new Set(removals);
          const nodes = applyNodeChanges(changes, get().nodes);
          const edges = get().edges.filter((e) => !gone.has(e.source) && !gone.has(e.target));
          commit({ nodes, edges, ...selectionOf(nodes, edges) });
          return;
        }
        if (content) record();
        const nodes = applyNodeChanges(changes, get().nodes);
        if (dragEnded) {
          const start = dragStart;
          dragStart = null;
          if (start) {
            const past = [...get().past, start];
            if (past.length > HISTORY_LIMIT) past.shift();
            set({ past, future: [] });
          }
          lastCoalesce = null;
          commit({ nodes });
        } else if (content) commit({ nodes });
        else set({ nodes });
        if (selection) set({ selectedNodeIds: nodes.filter((n) => n.selected).map((n) => n.id) });
      },

      onEdgesChange(changes) {
        const removes = changes.some((c) => c.type === 'remove');
        const selection = changes.some((c) => c.type === 'select');
        if (removes) record();
        const edges = applyEdgeChanges(changes, get().edges);
        if (removes) commit({ edges });
        else set({ edges });
        if (selection || removes) set({ selectedEdgeIds: edges.filter((e) => e.selected).map((e) => e.id) });
      },

      canConnect(c) {
        if (!c.source || !c.target || c.source === c.target) return false;
        const target = get().nodes.find((n) => n.id === c.target);
        if (!target || target.data.type === 'trigger') return false;
        const handle = c.sourceHandle ?? null;
        return !get().edges.some(
          (e) => e.source === c.source && e.target === c.target && (e.sourceHandle ?? null) === handle,
        );
      },

      connect(c) {
        if (!get().canConnect(c)) return false;
        record();
        const taken = new Set(get().edges.map((e) => e.id));
        const edge: BuilderEdge = {
          id: edgeId(c.source, c.sourceHandle, c.target, taken),
          source: c.source,
          target: c.target,
          sourceHandle: c.sourceHandle ?? null,
        };
        commit({ edges: [...get().edges, edge] });
        return true;
      },

      addNode(type, subtype, position) {
        record();
        const taken = new Set(get().nodes.map((n) => n.id));
        const id = freshId(type === 'trigger' ? 'trigger' : subtype, taken);
        const node: BuilderNode = {
          id,
          type: 'agent',
          position,
          selected: true,
          data: { type, subtype, label: nodeTitle(type, subtype), config: defaultConfig(type, subtype) },
        };
        const nodes = [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node];
        const edges = get().edges.map((e) => (e.selected ? { ...e, selected: false } : e));
        commit({ nodes, edges, selectedNodeIds: [id], selectedEdgeIds: [] });
        return id;
      },

      updateNode(id, patch, coalesceKey) {
        const index = get().nodes.findIndex((n) => n.id === id);
        const current = get().nodes[index];
        if (!current) return;
        record(coalesceKey ? `${id}:${coalesceKey}` : undefined);
        const nodes = get().nodes.slice();
        nodes[index] = { ...current, data: { ...current.data, ...patch } };
        commit({ nodes });
      },

      removeEdge(id) {
        if (!get().edges.some((e) => e.id === id)) return;
        record();
        const edges = get().edges.filter((e) => e.id !== id);
        commit({ edges, selectedEdgeIds: get().selectedEdgeIds.filter((e) => e !== id) });
      },

      deleteSelection() {
        const nodeIds = new Set(get().selectedNodeIds);
        const edgeIds = new Set(get().selectedEdgeIds);
        if (nodeIds.size === 0 && edgeIds.size === 0) return;
        record();
        const nodes = get().nodes.filter((n) => !nodeIds.has(n.id));
        const edges = get().edges.filter(
          (e) => !edgeIds.has(e.id) && !nodeIds.has(e.source) && !nodeIds.has(e.target),
        );
        commit({ nodes, edges, selectedNodeIds: [], selectedEdgeIds: [] });
      },

      select(nodeIds, edgeIds = []) {
        const ns = new Set(nodeIds);
        const es = new Set(edgeIds);
        const nodes = get().nodes.map((n) =>
          !!n.selected === ns.has(n.id) ? n : { ...n, selected: ns.has(n.id) },
        );
        const edges = get().edges.map((e) =>
          !!e.selected === es.has(e.id) ? e : { ...e, selected: es.has(e.id) },
        );
        set({ nodes, edges, selectedNodeIds: [...ns], selectedEdgeIds: [...es] });
      },

      undo() {
        const { past } = get();
        const prev = past[past.length - 1];
        if (!prev) return;
        lastCoalesce = null;
        const future = [snapshot(), ...get().future].slice(0, HISTORY_LIMIT);
        commit({ ...prev, past: past.slice(0, -1), future, ...selectionOf(prev.nodes, prev.edges) });
      },

      redo() {
        const [next, ...future] = get().future;
        if (!next) return;
        lastCoalesce = null;
        const past = [...get().past, snapshot()].slice(-HISTORY_LIMIT);
        commit({ ...next, past, future, ...selectionOf(next.nodes, next.edges) });
      },

      copy() {
        const ids = new Set(get().selectedNodeIds);
        if (ids.size === 0) return 0;
        const nodes = get().nodes.filter((n) => ids.has(n.id));
        const edges = get().edges.filter((e) => ids.has(e.source) && ids.has(e.target));
        set({ clipboard: { nodes, edges }, pasteCount: 0 });
        return nodes.length;
      },

      paste() {
        const clip = get().clipboard;
        if (!clip || clip.nodes.length === 0) return [];
        record();
        const pasteCount = get().pasteCount + 1;
        const offset = PASTE_OFFSET * pasteCount;
        const takenNodes = new Set(get().nodes.map((n) => n.id));
        const takenEdges = new Set(get().edges.map((e) => e.id));
        const idMap = new Map<string, string>();
        const added: BuilderNode[] = clip.nodes.map((n) => {
          const id = freshId(n.id.replace(/_\d+$/, ''), takenNodes);
          takenNodes.add(id);
          idMap.set(n.id, id);
          return {
            ...n,
            id,
            selected: true,
            position: { x: n.position.x + offset, y: n.position.y + offset },
            data: { ...n.data, config: structuredClone(n.data.config) },
          };
        });
        const addedEdges: BuilderEdge[] = clip.edges.map((e) => {
          const source = idMap.get(e.source) as string;
          const target = idMap.get(e.target) as string;
          const id = edgeId(source, e.sourceHandle, target, takenEdges);
          takenEdges.add(id);
          return { ...e, id, source, target, selected: false };
        });
        const nodes = [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...added];
        const edges = [
          ...get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
          ...addedEdges,
        ];
        commit({
          nodes,
          edges,
          pasteCount,
          selectedNodeIds: added.map((n) => n.id),
          selectedEdgeIds: [],
        });
        return added.map((n) => n.id);
      },

      setPositions(positions) {
        record();
        const nodes = get().nodes.map((n) => {
          const p = positions[n.id];
          return p ? { ...n, position: p } : n;
        });
        commit({ nodes });
      },

      setProblems(problems) {
        set({ problems: indexProblems(problems) });
      },

      setRun(run) {
        set({ run });
      },
    };
  });
}

export type BuilderStore = StoreApi<BuilderState>;
