'use client';

import type { KnowledgeDocument } from '@agentflow/contracts';
import { AgentFlowError } from '@agentflow/sdk';
import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { Notice, useNotice } from '@/components/notice';
import { useCan } from '@/lib/permissions';
import { deleteDocument, reindexBase, reindexDocument } from '../api';
import { describeKnowledgeError } from '../errors';
import { plural } from '../format';
import { useKnowledgeBase } from '../queries';
import { AddTextDialog } from './add-text-dialog';
import { AddUrlForm } from './add-url-form';
import { DeleteBaseDialog } from './delete-base-dialog';
import { DocumentsTable } from './documents-table';
import { QueryPlayground } from './query-playground';
import { SettingsDialog, type SettingsOutcome } from './settings-dialog';
import { UploadZone } from './upload-zone';

/** One knowledge base: its settings, its documents (add, watch ingest, re-index, delete) and a playground. */
export function KnowledgeDetail({ id }: { id: string }) {
  const canManage = useCan('knowledge:manage');
  const router = useRouter();
  const { valid, base, documents, busy, refresh } = useKnowledgeBase(id);
  const notice = useNotice();
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [textOpen, setTextOpen] = useState(false);
  const [deletingBase, setDeletingBase] = useState(false);
  const [deletingDoc, setDeletingDoc] = useState<KnowledgeDocument | null>(null);

  const onError = (err: unknown) => notice.error(describeKnowledgeError(err));
  const reindexOne = useMutation({
    mutationFn: (doc: KnowledgeDocument) => reindexDocument(id, doc.id),
    onSuccess: (_, doc) => {
      notice.info(`Re-indexing “${doc.name}”.`);
      void refresh();
    },
    onError,
  });
  const reindexAll = useMutation({
    mutationFn: () => reindexBase(id),
    onSuccess: (res) => {
      notice.info(`Re-indexing ${plural(res.queued, 'document')}.`);
      void refresh();
    },
    onError,
  });

  function onSettingsSaved(outcome: SettingsOutcome) {
    void refresh();
    if (!outcome.changed) return notice.info('Nothing changed.');
    if (!outcome.reindex)
      return notice.info('Settings saved. They apply to documents added or re-indexed from now on.');
    if ('error' in outcome.reindex) {
      return notice.error(
        `Settings saved, but re-indexing could not start: ${describeKnowledgeError(outcome.reindex.error)}`,
      );
    }
    notice.info(`Settings saved. Re-indexing ${plural(outcome.reindex.queued.queued, 'document')}.`);
  }

  if (!valid) {
    return (
      <div className="flex flex-col gap-4">
        <BackLink />
        <p role="alert" className="alert-error">
          {describeKnowledgeError(
            new AgentFlowError({ status: 404, code: 'KNOWLEDGE_BASE_NOT_FOUND', message: '' }),
          )}
        </p>
      </div>
    );
  }
  if (base.isPending) {
    return (
      <div aria-busy="true" className="flex flex-col gap-4">
        <p role="status" className="text-slate-500">
          Loading the knowledge base…
        </p>
        <div className="h-24 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-900" />
      </div>
    );
  }
  if (base.isError) {
    return (
      <div className="flex flex-col gap-4">
        <BackLink />
        <div role="alert" className="alert-error flex items-center justify-between gap-3">
          <span>The knowledge base could not be loaded. {describeKnowledgeError(base.error)}</span>
          <button type="button" className="btn-secondary" onClick={() => void base.refetch()}>
            Try again
          </button>
        </div>
      </div>
    );
  }

  const kb = base.data;
  return (
    <div className="flex flex-col gap-8">
      <div className="flex flex-col gap-4">
        <BackLink />
        <header className="flex flex-wrap items-start justify-between gap-4">
          <div className="flex min-w-0 flex-col gap-1">
            <h1 className="text-2xl font-semibold tracking-tight">{kb.name}</h1>
            {kb.description && <p className="text-sm text-slate-600 dark:text-slate-300">{kb.description}</p>}
            <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="knowledge-summary">
              {plural(kb.document_count, 'document')} · {plural(kb.chunk_count, 'chunk')} ·{' '}
              <span className="font-mono">{kb.embedding_model}</span> · chunks of {kb.chunk_size} characters,{' '}
              {kb.chunk_overlap} overlapping
            </p>
          </div>
          {canManage && (
            <div className="flex flex-wrap gap-2">
              <button type="button" className="btn-secondary" onClick={() => setSettingsOpen(true)}>
                Settings
              </button>
              <button
                type="button"
                className="btn-secondary"
                disabled={reindexAll.isPending || kb.document_count === 0}
                onClick={() => reindexAll.mutate()}
              >
                {reindexAll.isPending ? 'Re-indexing…' : 'Re-index all'}
              </button>
              <button
                type="button"
                className="btn-secondary text-red-700 dark:text-red-400"
                onClick={() => setDeletingBase(true)}
              >
                Delete base
              </button>
            </div>
          )}
        </header>
        <Notice notice={notice.notice} onDismiss={notice.dismiss} />
      </div>

      <section aria-labelledby="documents-title" className="flex flex-col gap-4">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="documents-title" className="text-lg font-semibold">
            Documents
          </h2>
          {busy && (
            <p role="status" className="text-sm text-slate-500 dark:text-slate-400">
              Ingesting… this list updates by itself.
            </p>
          )}
        </div>
        {canManage && (
          <div className="grid gap-4 lg:grid-cols-[3fr_2fr]">
            <UploadZone baseId={id} onUploaded={() => void refresh()} />
            <div className="flex flex-col gap-4">
              <AddUrlForm
                baseId={id}
                onAdded={(name) => {
                  notice.info(`Added “${name}”: it is fetched and indexed in the background.`);
                  void refresh();
                }}
              />
              <div>
                <button type="button" className="btn-secondary" onClick={() => setTextOpen(true)}>
                  Paste text…
                </button>
              </div>
            </div>
          </div>
        )}
        <DocumentsTable
          list={documents.list}
          rows={documents.rows}
          canManage={canManage}
          busyId={reindexOne.isPending ? (reindexOne.variables?.id ?? null) : null}
          onReindex={(doc) => reindexOne.mutate(doc)}
          onDelete={setDeletingDoc}
        />
      </section>

      <QueryPlayground baseId={id} />

      {canManage && (
        <>
          <SettingsDialog
            base={kb}
            open={settingsOpen}
            onOpenChange={setSettingsOpen}
            onSaved={onSettingsSaved}
          />
          <AddTextDialog
            baseId={id}
            open={textOpen}
            onOpenChange={setTextOpen}
            onAdded={(doc) => {
              notice.info(
                doc.duplicate
                  ? `“${doc.name}” has the same text as a document already here.`
                  : `Added “${doc.name}”.`,
              );
              void refresh();
            }}
          />
          <DeleteBaseDialog
            base={deletingBase ? kb : null}
            onClose={() => setDeletingBase(false)}
            onDeleted={() => router.push('/knowledge')}
          />
          <ConfirmDialog
            open={deletingDoc !== null}
            onClose={() => setDeletingDoc(null)}
            title={deletingDoc ? `Delete “${deletingDoc.name}”?` : 'Delete document?'}
            description="Its chunks and stored file are deleted: searches no longer find it. This cannot be undone."
            confirmLabel="Delete document"
            pendingLabel="Deleting…"
            confirm={() => (deletingDoc ? deleteDocument(id, deletingDoc.id) : Promise.resolve())}
            onDone={() => {
              if (deletingDoc) notice.info(`Deleted “${deletingDoc.name}”.`);
              void refresh();
            }}
            describeError={describeKnowledgeError}
          />
        </>
      )}
    </div>
  );
}

function BackLink() {
  return (
    <Link href="/knowledge" className="w-fit text-sm text-indigo-700 hover:underline dark:text-indigo-300">
      ← Knowledge bases
    </Link>
  );
}
