'use client';

import type { AgentDetail } from '@agentflow/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useDarkMode } from '@/components/flow-theme';
import { describeError } from '@/lib/errors';
import { builderKeys, getAgent, saveDraft } from '../api';
import { createAutosaver, type SaveStatus } from '../autosave';
import { BuilderStoreProvider, useBuilder, useBuilderStore } from '../context';
import { fromDefinition, toDefinition } from '../definition';
import { autoLayout } from '../layout';
import { handleShortcut } from '../shortcuts';
import { Canvas } from './canvas';
import { Inspector } from './inspector';
import { Palette } from './palette';
import { PublishDialog } from './publish-dialog';
import { TestPanel } from './test-panel';
import { VersionsPanel } from './versions-panel';

/** The builder page of one agent: palette, canvas, inspector / test / versions panels. */
export function BuilderView({ agentId }: { agentId: string }) {
  return (
    <BuilderStoreProvider>
      <ReactFlowProvider>
        <BuilderLoader agentId={agentId} />
      </ReactFlowProvider>
    </BuilderStoreProvider>
  );
}

function BuilderLoader({ agentId }: { agentId: string }) {
  const agent = useQuery({
    queryKey: builderKeys.agent(agentId),
    queryFn: () => getAgent(agentId),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const store = useBuilderStore();
  const [ready, setReady] = useState(false);

  useEffect(() => {
    // The canvas loads the draft once; later fetches (after saves, publishes) only refresh metadata.
    if (ready || !agent.data) return;
    store.getState().load(fromDefinition(agent.data.definition));
    store.getState().setProblems(agent.data.problems);
    if (typeof performance !== 'undefined') performance.mark('builder:loaded');
    setReady(true);
  }, [agent.data, ready, store]);

  if (agent.isPending) {
    return (
      <p role="status" className="p-6 text-slate-500">
        Loading the agent…
      </p>
    );
  }
  if (agent.isError) {
    return (
      <div role="alert" className="alert-error m-6 flex items-center justify-between gap-3">
        <span>The agent could not be loaded. {describeError(agent.error)}</span>
        <button type="button" className="btn-secondary" onClick={() => void agent.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  if (!ready) return null;
  return <Builder agent={agent.data} />;
}

const saveText: Record<SaveStatus, string> = {
  idle: 'All changes saved',
  pending: 'Saving…',
  saving: 'Saving…',
  saved: 'All changes saved',
  error: 'Not saved',
};

type Tab = 'inspect' | 'test' | 'versions';

/** Sizes the builder from its top edge to the bottom of the window, whatever the shell's header height. */
function fillViewport(el: HTMLDivElement | null) {
  if (!el) return;
  const fillWindowHeight = () => {
    const top = el.getBoundingClientRect().top + window.scrollY;
    el.style.height = `${Math.max(400, window.innerHeight - top)}px`;
  };
  fillWindowHeight();
  window.addEventListener('resize', fillWindowHeight);
  return () => window.removeEventListener('resize', fillWindowHeight);
}

function Builder({ agent }: { agent: AgentDetail }) {
  const store = useBuilderStore();
  const queryClient = useQueryClient();
  const { fitView } = useReactFlow();
  const [saveStatus, setSaveStatus] = useState<SaveStatus>('idle');
  const [saveError, setSaveError] = useState<string | null>(null);
  const [publishOpen, setPublishOpen] = useState(false);
  const [tab, setTab] = useState<Tab>('inspect');
  const [notice, setNotice] = useState<string | null>(null);
  const canUndo = useBuilder((s) => s.past.length > 0);
  const canRedo = useBuilder((s) => s.future.length > 0);
  const problemCount = useBuilder((s) => s.problems.count);
  const dark = useDarkMode();

  const saver = useMemo(
    () =>
      createAutosaver<number>({
        save: async () => {
          const { nodes, edges } = store.getState();
          const detail = await saveDraft(agent.id, toDefinition(nodes, edges));
          store.getState().setProblems(detail.problems);
          queryClient.setQueryData(builderKeys.agent(agent.id), detail);
        },
        onStatus: (status, err) => {
          setSaveStatus(status);
          setSaveError(status === 'error' ? describeError(err) : null);
        },
      }),
    [agent.id, store, queryClient],
  );

  useEffect(() => {
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.revision !== prev.revision) saver.schedule(s.revision);
    });
    return () => {
      unsubscribe();
      void saver.flush().finally(() => saver.dispose());
    };
  }, [store, saver]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (handleShortcut(e, store)) e.preventDefault();
    };
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (saver.status() === 'pending' || saver.status() === 'saving' || saver.status() === 'error') {
        e.preventDefault();
      }
    };
    document.addEventListener('keydown', onKey);
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [store, saver]);

  const layout = useCallback(() => {
    const { nodes, edges } = store.getState();
    store.getState().setPositions(autoLayout(nodes, edges));
    requestAnimationFrame(() => void fitView({ padding: 0.2, duration: 200 }));
  }, [store, fitView]);

  const flush = useCallback(() => saver.flush(), [saver]);
  const published = agent.published_version;

  return (
    <div
      ref={fillViewport}
      className="-my-8 ml-[calc(50%-50vw)] flex h-[calc(100dvh-64px)] w-screen flex-col border-t border-slate-200 dark:border-slate-800"
      data-testid="builder"
    >
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
        <Link href="/agents" className="btn-ghost">
          ← Agents
        </Link>
        <h1 className="truncate text-lg font-semibold">{agent.name}</h1>
        <span
          className="rounded-full bg-slate-100 px-2 py-0.5 text-xs dark:bg-slate-800"
          data-testid="agent-status"
        >
          {agent.status}
          {published ? ` · v${published.version} published` : ' · not published'}
        </span>
        <span
          role="status"
          data-testid="save-status"
          data-status={saveStatus}
          className={`text-sm ${saveStatus === 'error' ? 'text-red-700 dark:text-red-400' : 'text-slate-500 dark:text-slate-400'}`}
        >
          {saveText[saveStatus]}
          {saveStatus === 'error' && saveError ? `: ${saveError}` : ''}
        </span>
        {saveStatus === 'error' && (
          <button type="button" className="btn-secondary" onClick={() => void saver.retry()}>
            Retry save
          </button>
        )}
        <span
          className={`text-sm ${problemCount ? 'text-red-700 dark:text-red-400' : 'text-emerald-700 dark:text-emerald-400'}`}
          data-testid="problem-count"
        >
          {problemCount ? `${problemCount} problem${problemCount === 1 ? '' : 's'}` : 'Valid'}
        </span>
        <div className="ml-auto flex flex-wrap items-center gap-1">
          <button
            type="button"
            className="btn-ghost"
            disabled={!canUndo}
            onClick={() => store.getState().undo()}
            aria-keyshortcuts="Control+Z Meta+Z"
          >
            Undo
          </button>
          <button
            type="button"
            className="btn-ghost"
            disabled={!canRedo}
            onClick={() => store.getState().redo()}
            aria-keyshortcuts="Control+Shift+Z Meta+Shift+Z"
          >
            Redo
          </button>
          <button type="button" className="btn-ghost" onClick={layout}>
            Auto-layout
          </button>
          <button
            type="button"
            className="btn-ghost"
            onClick={() => void fitView({ padding: 0.2, duration: 200 })}
          >
            Fit view
          </button>
          <button type="button" className="btn" onClick={() => setPublishOpen(true)}>
            Publish
          </button>
        </div>
      </div>
      {notice && (
        <div
          role="status"
          className="flex items-center justify-between border-b border-emerald-300 bg-emerald-50 px-4 py-1.5 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
        >
          <span>{notice}</span>
          <button
            type="button"
            className="btn-ghost"
            onClick={() => setNotice(null)}
            aria-label="Dismiss message"
          >
            Dismiss
          </button>
        </div>
      )}
      <div className="flex min-h-0 flex-1">
        <aside className="w-52 shrink-0 border-r border-slate-200 dark:border-slate-800">
          <Palette />
        </aside>
        <section className={`min-w-0 flex-1 ${dark ? 'dark' : ''}`} aria-label="Canvas">
          <Canvas dark={dark} />
        </section>
        <aside className="flex w-96 shrink-0 flex-col border-l border-slate-200 dark:border-slate-800">
          <div
            role="tablist"
            aria-label="Side panel"
            className="flex border-b border-slate-200 dark:border-slate-800"
          >
            {(
              [
                ['inspect', 'Inspector'],
                ['test', 'Test & run'],
                ['versions', 'Versions'],
              ] as const
            ).map(([key, label]) => (
              <button
                key={key}
                type="button"
                role="tab"
                id={`tab-${key}`}
                aria-selected={tab === key}
                aria-controls={`panel-${key}`}
                className={`flex-1 px-3 py-2 text-sm font-medium ${tab === key ? 'border-b-2 border-indigo-600 text-indigo-700 dark:text-indigo-300' : 'text-slate-600 dark:text-slate-300'}`}
                onClick={() => setTab(key)}
              >
                {label}
              </button>
            ))}
          </div>
          <div
            role="tabpanel"
            id={`panel-${tab}`}
            aria-labelledby={`tab-${tab}`}
            className="min-h-0 flex-1 overflow-y-auto"
          >
            {tab === 'inspect' && <Inspector />}
            {tab === 'test' && <TestPanel agent={agent} flush={flush} />}
            {tab === 'versions' && <VersionsPanel agent={agent} />}
          </div>
        </aside>
      </div>
      <PublishDialog
        agent={agent}
        open={publishOpen}
        onOpenChange={setPublishOpen}
        flush={flush}
        onPublished={(v) => setNotice(`Published version ${v}.`)}
      />
    </div>
  );
}
