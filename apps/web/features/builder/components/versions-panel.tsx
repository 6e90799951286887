'use client';

import type { AgentDetail, AgentVersionSummary, VersionDiff } from '@agentflow/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Dialog, DialogClose } from '@/components/dialog';
import { describeError } from '@/lib/errors';
import { builderKeys, diffVersions, listVersions, rollbackAgent } from '../api';

function DiffSection({ title, section }: { title: string; section: VersionDiff['nodes'] }) {
  const name = (item: Record<string, unknown>) =>
    `${typeof item.label === 'string' && item.label ? `${item.label} ` : ''}(${String(item.id)})`;
  const empty = !section.added.length && !section.removed.length && !section.changed.length;
  return (
    <div>
      <h5 className="text-sm font-medium">{title}</h5>
      {empty ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">No changes.</p>
      ) : (
        <ul className="flex flex-col gap-0.5 text-xs">
          {section.added.map((n) => (
            <li key={`a-${String(n.id)}`} className="text-emerald-700 dark:text-emerald-400">
              + added {name(n)}
            </li>
          ))}
          {section.removed.map((n) => (
            <li key={`r-${String(n.id)}`} className="text-red-700 dark:text-red-400">
              − removed {name(n)}
            </li>
          ))}
          {section.changed.map((c) => (
            <li key={`c-${c.id}`} className="text-amber-700 dark:text-amber-400">
              ~ changed {name(c.after)}: {c.fields.join(', ')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Published versions (newest first), the diff of any two, and rollback with a confirmation. */
export function VersionsPanel({ agent }: { agent: AgentDetail }) {
  const queryClient = useQueryClient();
  const id = useId();
  const versions = useQuery({
    queryKey: builderKeys.versions(agent.id),
    queryFn: () => listVersions(agent.id),
  });
  const list = versions.data?.data ?? [];
  const latest = list[0]?.version ?? 0;
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const fromV = from ?? Math.max(1, latest - 1);
  const toV = to ?? latest;
  const [compare, setCompare] = useState<{ from: number; to: number } | null>(null);
  const diff = useQuery({
    queryKey: compare ? builderKeys.diff(agent.id, compare.from, compare.to) : ['noop'],
    queryFn: () => diffVersions(agent.id, (compare as { from: number }).from, (compare as { to: number }).to),
    enabled: !!compare,
  });
  const [confirm, setConfirm] = useState<AgentVersionSummary | null>(null);
  const rollback = useMutation({
    mutationFn: (v: number) => rollbackAgent(agent.id, v),
    onSuccess: async () => {
      setConfirm(null);
      // ['agent', id] is a prefix of the versions and diff keys: one invalidation refreshes all three.
      await queryClient.invalidateQueries({ queryKey: builderKeys.agent(agent.id), refetchType: 'all' });
    },
  });

  if (versions.isPending) return <p className="p-4 text-sm">Loading versions…</p>;
  if (versions.isError)
    return (
      <div role="alert" className="alert-error m-4">
        Versions could not be loaded. {describeError(versions.error)}
      </div>
    );

  return (
    <div className="flex flex-col gap-4 p-4" data-testid="versions-panel">
      {list.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">Nothing published yet.</p>
      ) : (
        <ol className="flex flex-col gap-2" aria-label="Versions">
          {list.map((v) => (
            <li
              key={v.id}
              data-testid="version-row"
              className="rounded-md border border-slate-200 p-2 text-sm dark:border-slate-700"
            >
              <div className="flex items-center justify-between gap-2">
                <span className="font-medium">
                  v{v.version}
                  {v.is_published && (
                    <span className="ml-2 rounded-full bg-emerald-100 px-2 py-0.5 text-xs text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300">
                      published
                    </span>
                  )}
                </span>
                {!v.is_published && (
                  <button
                    type="button"
                    className="btn-ghost"
                    aria-label={`Roll back to version ${v.version}`}
                    onClick={() => setConfirm(v)}
                  >
                    Roll back
                  </button>
                )}
              </div>
              <p className="text-slate-600 dark:text-slate-300">{v.change_message ?? 'No message'}</p>
              <p className="text-xs text-slate-500 dark:text-slate-400">
                {v.node_count} nodes · {v.edge_count} edges · {new Date(v.created_at).toLocaleString()}
              </p>
            </li>
          ))}
        </ol>
      )}

      {list.length >= 2 && (
        <section aria-labelledby={`${id}-diff`} className="flex flex-col gap-2">
          <h4 id={`${id}-diff`} className="text-sm font-semibold">
            Compare versions
          </h4>
          <div className="grid grid-cols-2 gap-2">
            <div>
              <label htmlFor={`${id}-from`} className="label">
                From
              </label>
              <select
                id={`${id}-from`}
                className="input"
                value={fromV}
                onChange={(e) => setFrom(Number(e.currentTarget.value))}
              >
                {list.map((v) => (
                  <option key={v.id} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor={`${id}-to`} className="label">
                To
              </label>
              <select
                id={`${id}-to`}
                className="input"
                value={toV}
                onChange={(e) => setTo(Number(e.currentTarget.value))}
              >
                {list.map((v) => (
                  <option key={v.id} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <button
            type="button"
            className="btn-secondary self-start"
            onClick={() => setCompare({ from: fromV, to: toV })}
          >
            Show diff
          </button>
          {diff.isError && <p className="alert-error">{describeError(diff.error)}</p>}
          {diff.data && (
            <div className="flex flex-col gap-2" data-testid="version-diff">
              <p className="text-xs text-slate-500 dark:text-slate-400">
                v{diff.data.from} → v{diff.data.to}
              </p>
              <DiffSection title="Nodes" section={diff.data.nodes} />
              <DiffSection title="Edges" section={diff.data.edges} />
            </div>
          )}
        </section>
      )}

      <Dialog
        open={!!confirm}
        onOpenChange={(open) => {
          if (!open) {
            setConfirm(null);
            rollback.reset();
          }
        }}
        title={confirm ? `Roll back to version ${confirm.version}?` : 'Roll back'}
        description="Its definition is published again as a new version; new runs use it. Your draft on the canvas stays as it is."
      >
        {rollback.isError && (
          <p role="alert" className="alert-error mb-4">
            {describeError(rollback.error)}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <DialogClose asChild>
            <button type="button" className="btn-secondary">
              Cancel
            </button>
          </DialogClose>
          <button
            type="button"
            className="btn"
            disabled={rollback.isPending || !confirm}
            onClick={() => confirm && rollback.mutate(confirm.version)}
          >
            {rollback.isPending ? 'Rolling back…' : 'Roll back'}
          </button>
        </div>
      </Dialog>
    </div>
  );
}
