'use client';

import { useId, useMemo, useRef, useState } from 'react';
import { nodeHandles, nodeTitle } from '../catalog';
import { useBuilder, useBuilderStore } from '../context';
import { type BuilderEdge, toDefinition } from '../definition';
import { configErrors, formFor } from '../schema-form';
import { variableOptions } from '../variables';
import { ConfigForm, type FormContext } from './config-form';
import { RunOutput } from './run-output';

type TextEl = HTMLInputElement | HTMLTextAreaElement;

/** Sets a field's value the way typing would, so React's onChange (and the field's own logic) runs. */
function typeInto(el: TextEl, value: string, caret: number) {
  const proto =
    el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.focus();
  el.setSelectionRange(caret, caret);
}

export function Inspector() {
  const selectedNodeId = useBuilder((s) =>
    s.selectedNodeIds.length === 1 ? s.selectedNodeIds[0] : undefined,
  );
  const selectedEdgeId = useBuilder((s) =>
    s.selectedNodeIds.length === 0 && s.selectedEdgeIds.length === 1 ? s.selectedEdgeIds[0] : undefined,
  );
  const many = useBuilder((s) => s.selectedNodeIds.length + s.selectedEdgeIds.length > 1);
  if (selectedNodeId) return <NodeInspector key={selectedNodeId} nodeId={selectedNodeId} />;
  if (selectedEdgeId) return <EdgeInspector key={selectedEdgeId} edgeId={selectedEdgeId} />;
  return <ProblemsOverview many={many} />;
}

function ProblemsOverview({ many }: { many: boolean }) {
  const problems = useBuilder((s) => s.problems);
  const store = useBuilderStore();
  return (
    <div className="flex flex-col gap-3 p-4">
      <p className="text-sm text-slate-600 dark:text-slate-300">
        {many
          ? 'Several items are selected: copy (Ctrl+C), paste (Ctrl+V) or delete them, or select one to edit it.'
          : 'Select a node to edit it, or add one from the palette.'}
      </p>
      <h3 className="text-sm font-semibold">
        {problems.count === 0
          ? 'No problems in the draft'
          : `${problems.count} problem${problems.count === 1 ? '' : 's'} in the draft`}
      </h3>
      {problems.count > 0 && (
        <ul className="flex flex-col gap-1" data-testid="problem-list">
          {problems.list.slice(0, 50).map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id and the list is replaced whole
            <li key={`${p.code}-${i}`}>
              {p.node_id || p.edge_id ? (
                <button
                  type="button"
                  className="w-full rounded px-2 py-1 text-left text-sm text-red-700 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950"
                  onClick={() =>
                    p.node_id
                      ? store.getState().select([p.node_id])
                      : store.getState().select([], [p.edge_id as string])
                  }
                >
                  {p.message}
                </button>
              ) : (
                <span className="block px-2 py-1 text-sm text-red-700 dark:text-red-300">{p.message}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      <details className="text-xs text-slate-500 dark:text-slate-400">
        <summary className="cursor-pointer">Keyboard shortcuts</summary>
        <ul className="mt-2 list-disc pl-4">
          <li>Ctrl/Cmd+Z undo, Shift+Ctrl/Cmd+Z redo</li>
          <li>Ctrl/Cmd+C copy, Ctrl/Cmd+V paste</li>
          <li>Delete or Backspace removes the selection</li>
          <li>Tab reaches nodes; arrow keys move a focused node</li>
        </ul>
      </details>
    </div>
  );
}

function EdgeInspector({ edgeId }: { edgeId: string }) {
  const edge = useBuilder((s) => s.edges.find((e) => e.id === edgeId));
  const problems = useBuilder((s) => s.problems.edges[edgeId]);
  const store = useBuilderStore();
  if (!edge) return null;
  return (
    <div className="flex flex-col gap-3 p-4">
      <h3 className="font-semibold">Edge</h3>
      <p className="text-sm">
        <code>{edge.source}</code>
        {edge.sourceHandle ? ` (${edge.sourceHandle})` : ''} → <code>{edge.target}</code>
      </p>
      {problems && (
        <ul className="alert-error" data-testid="edge-problems">
          {problems.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      <button
        type="button"
        className="btn-danger self-start"
        onClick={() => store.getState().removeEdge(edgeId)}
      >
        Delete edge
      </button>
    </div>
  );
}

function NodeInspector({ nodeId }: { nodeId: string }) {
  const store = useBuilderStore();
  const data = useBuilder((s) => s.nodes.find((n) => n.id === nodeId)?.data);
  const problems = useBuilder((s) => s.problems.nodes[nodeId]);
  const run = useBuilder((s) => s.run[nodeId]);
  const revision = useBuilder((s) => s.revision);
  const edges = useBuilder((s) => s.edges);
  const activeField = useRef<TextEl | null>(null);
  const [pickerNote, setPickerNote] = useState<string | null>(null);
  const labelId = useId();

  const fields = data ? formFor(data.type, data.subtype) : null;
  const errors = useMemo(() => (data ? configErrors(data.type, data.subtype, data.config) : {}), [data]);
  // Upstream paths change with the graph's content, not with every drag frame: keyed on revision.
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision stands for the store's content
  const variables = useMemo(() => {
    const { nodes, edges } = store.getState();
    return variableOptions(toDefinition(nodes, edges), nodeId);
  }, [revision, nodeId, store]);

  if (!data) return null;
  const update = store.getState().updateNode;
  const ctx: FormContext = {
    nodeId,
    config: data.config,
    errors,
    onChange: (config, key) => update(nodeId, { config }, key),
    onTextFocus: (el) => {
      activeField.current = el;
      setPickerNote(null);
    },
  };

  const insert = (path: string) => {
    const el = activeField.current;
    if (!el?.isConnected) {
      setPickerNote('Click into a text field first, then pick a variable.');
      return;
    }
    const token = `{{${path}}}`;
    const start = el.selectionStart ?? el.value.length;
    const end = el.selectionEnd ?? start;
    typeInto(el, el.value.slice(0, start) + token + el.value.slice(end), start + token.length);
    setPickerNote(`Inserted ${token}`);
  };

  const groups = [...new Set(variables.map((v) => v.group))];

  return (
    <div className="flex flex-col gap-4 p-4" data-testid="inspector">
      <div className="flex items-start justify-between gap-2">
        <div>
          <h3 className="font-semibold">{nodeTitle(data.type, data.subtype)}</h3>
          <p className="text-xs text-slate-500 dark:text-slate-400">
            id <code>{nodeId}</code> · output as <code>{`{{node_${nodeId}.output}}`}</code>
          </p>
        </div>
        <button
          type="button"
          className="btn-ghost text-red-700 dark:text-red-400"
          onClick={() => store.getState().deleteSelection()}
        >
          Delete node
        </button>
      </div>

      {problems && problems.length > 0 && (
        <ul
          className="alert-error flex flex-col gap-1"
          data-testid="node-problems"
          aria-label="Problems of this node"
        >
          {problems.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}

      <div>
        <label htmlFor={labelId} className="label">
          Label
        </label>
        <input
          id={labelId}
          className="input"
          value={data.label}
          maxLength={200}
          onChange={(e) => update(nodeId, { label: e.currentTarget.value }, 'label')}
        />
      </div>

      {fields ? (
        <ConfigForm ctx={ctx} fields={fields} />
      ) : (
        <p className="alert-error">This node type is unknown to the engine; delete it or fix its type.</p>
      )}

      <section aria-labelledby={`${labelId}-vars`} className="flex flex-col gap-2">
        <h4 id={`${labelId}-vars`} className="text-sm font-semibold">
          Insert a variable
        </h4>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Values from the trigger and from nodes that run before this one. Click into a field, then pick.
        </p>
        <div className="flex max-h-56 flex-col gap-2 overflow-y-auto" data-testid="variable-picker">
          {groups.map((g) => (
            <div key={g}>
              <p className="text-xs font-medium text-slate-600 dark:text-slate-300">{g}</p>
              <div className="flex flex-wrap gap-1">
                {variables
                  .filter((v) => v.group === g)
                  .map((v) => (
                    <button
                      key={v.path}
                      type="button"
                      className="rounded border border-slate-300 px-1.5 py-0.5 font-mono text-xs hover:bg-indigo-50 dark:border-slate-700 dark:hover:bg-slate-800"
                      // Keep the caret in the field when clicked with a mouse.
                      onMouseDown={(e) => e.preventDefault()}
                      onClick={() => insert(v.path)}
                      aria-label={`Insert {{${v.path}}}`}
                    >
                      {v.path}
                    </button>
                  ))}
              </div>
            </div>
          ))}
        </div>
        {pickerNote && (
          <p role="status" className="text-xs text-slate-600 dark:text-slate-300">
            {pickerNote}
          </p>
        )}
      </section>

      <Connections nodeId={nodeId} edges={edges} />

      {run && (
        <section className="flex flex-col gap-1">
          <h4 className="text-sm font-semibold">Last run</h4>
          <RunOutput state={run} />
        </section>
      )}
    </div>
  );
}

/** Edges leaving this node, and a keyboard way to add one (the same rules as dragging a handle). */
function Connections({ nodeId, edges }: { nodeId: string; edges: BuilderEdge[] }) {
  const store = useBuilderStore();
  const data = useBuilder((s) => s.nodes.find((n) => n.id === nodeId)?.data);
  const targets = useBuilder((s) =>
    s.nodes
      .filter((n) => n.id !== nodeId && n.data.type !== 'trigger')
      .map((n) => `${n.id}\u0000${n.data.label}`)
      .join('\u0001'),
  );
  const [target, setTarget] = useState('');
  const [handle, setHandle] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const id = useId();
  if (!data) return null;
  const handles = nodeHandles(data.type, data.subtype, data.config);
  const handleChoices = [...(handles.plain ? [''] : []), ...handles.branches];
  const outgoing = edges.filter((e) => e.source === nodeId);
  const options = targets
    ? targets.split('\u0001').map((t) => {
        const [value, label] = t.split('\u0000');
        return { value: value as string, label: label || (value as string) };
      })
    : [];
  const chosenHandle = handleChoices.includes(handle) ? handle : (handleChoices[0] ?? '');

  return (
    <section aria-labelledby={`${id}-title`} className="flex flex-col gap-2">
      <h4 id={`${id}-title`} className="text-sm font-semibold">
        Connections
      </h4>
      {outgoing.length === 0 ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">No outgoing edges.</p>
      ) : (
        <ul className="flex flex-col gap-1 text-sm">
          {outgoing.map((e) => (
            <li key={e.id} className="flex items-center justify-between gap-2">
              <span>
                {e.sourceHandle ? <code>{e.sourceHandle}</code> : 'always'} → <code>{e.target}</code>
              </span>
              <button
                type="button"
                className="btn-ghost"
                aria-label={`Remove edge to ${e.target}`}
                onClick={() => store.getState().removeEdge(e.id)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="grid grid-cols-2 gap-2">
        <div>
          <label htmlFor={`${id}-target`} className="label">
            Connect to
          </label>
          <select
            id={`${id}-target`}
            className="input"
            value={target}
            onChange={(e) => setTarget(e.currentTarget.value)}
          >
            <option value="">Choose a node</option>
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label} ({o.value})
              </option>
            ))}
          </select>
        </div>
        {handleChoices.length > 1 || handles.branches.length > 0 ? (
          <div>
            <label htmlFor={`${id}-handle`} className="label">
              From branch
            </label>
            <select
              id={`${id}-handle`}
              className="input"
              value={chosenHandle}
              onChange={(e) => setHandle(e.currentTarget.value)}
            >
              {handleChoices.map((h) => (
                <option key={h || '__plain'} value={h}>
                  {h || 'always'}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      <button
        type="button"
        className="btn-secondary self-start"
        disabled={!target}
        onClick={() => {
          const ok = store.getState().connect({
            source: nodeId,
            target,
            sourceHandle: chosenHandle || null,
            targetHandle: null,
          });
          setNote(ok ? `Connected to ${target}.` : 'That edge exists already or is not allowed.');
          if (ok) setTarget('');
        }}
      >
        Add edge
      </button>
      {note && (
        <p role="status" className="text-xs text-slate-600 dark:text-slate-300">
          {note}
        </p>
      )}
    </section>
  );
}
