'use client';

import type { KnowledgeBase } from '@agentflow/contracts';
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ListToolbar, optionsOf, SearchField, SelectFilter } from '@/components/list/list-toolbar';
import { EmptyState, NoMatches, PagedList } from '@/components/list/paged-list';
import { useDebouncedSearch } from '@/components/list/use-debounced-search';
import { useLoadAllWhile, usePagedList } from '@/components/list/use-paged-list';
import { Notice, useNotice } from '@/components/notice';
import { useAuthStore } from '@/lib/auth-store';
import { useCan } from '@/lib/permissions';
import { listBases, SEARCH_MAX_LENGTH } from '../api';
import { describeKnowledgeError } from '../errors';
import { type ModelChoice, matchesModel, modelChoiceLabel, modelChoices, plural } from '../format';
import { knowledgeKeys } from '../queries';
import { CreateBaseDialog } from './create-base-dialog';
import { DeleteBaseDialog } from './delete-base-dialog';

/** The org's knowledge bases, newest first, with the documents they hold. */
export function KnowledgeList() {
  const orgId = useAuthStore((s) => s.session?.organization.id);
  // Viewers search and read; creating and deleting need knowledge:manage (the API answers 403 otherwise).
  const canManage = useCan('knowledge:manage');
  const queryClient = useQueryClient();
  const search = useDebouncedSearch();
  const [model, setModel] = useState<ModelChoice | ''>('');
  const [createOpen, setCreateOpen] = useState(false);
  const [deleting, setDeleting] = useState<KnowledgeBase | null>(null);
  const notice = useNotice();

  // The API searches (name, description) and pages the matches; only the model filter runs here, so
  // only it needs every page loaded before "no match" is the truth.
  const term = search.term.trim();
  const { list, rows } = usePagedList({
    queryKey: knowledgeKeys.basesMatching(orgId, term),
    fetchPage: (cursor) => listBases(term, cursor),
  });
  useLoadAllWhile(list, model !== '');
  const shown = model ? rows.filter((b) => matchesModel(b, model)) : rows;
  const filtered = term !== '' || model !== '';
  const refresh = () => queryClient.invalidateQueries({ queryKey: knowledgeKeys.bases(orgId) });

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Knowledge</h1>
          <p className="text-sm text-slate-600 dark:text-slate-300">
            Documents your agents can search and quote, grouped in knowledge bases.
          </p>
        </div>
        {canManage && (
          <button type="button" className="btn" onClick={() => setCreateOpen(true)}>
            New knowledge base
          </button>
        )}
      </div>

      <ListToolbar className="sm:grid-cols-[2fr_1fr]">
        <SearchField
          value={search.input}
          onChange={search.setInput}
          placeholder="Name or description"
          maxLength={SEARCH_MAX_LENGTH}
        />
        <SelectFilter
          label="Embedding model"
          anyLabel="Any model"
          value={model}
          options={optionsOf(modelChoices, modelChoiceLabel)}
          onChange={setModel}
        />
      </ListToolbar>

      <Notice notice={notice.notice} onDismiss={notice.dismiss} />

      <PagedList
        list={list}
        count={shown.length}
        noun="knowledge bases"
        describeError={describeKnowledgeError}
        empty={
          <EmptyState testId="knowledge-empty">
            {filtered ? (
              <NoMatches
                noun="knowledge bases"
                onClear={() => {
                  search.clear();
                  setModel('');
                }}
              />
            ) : (
              <>
                <h2 className="text-lg font-medium">No knowledge bases yet</h2>
                {canManage ? (
                  <>
                    <p className="max-w-md text-sm text-slate-600 dark:text-slate-300">
                      Create one, then upload files, add web pages or paste text. The built-in embedding model
                      works offline, no API key needed.
                    </p>
                    <button type="button" className="btn" onClick={() => setCreateOpen(true)}>
                      Create a knowledge base
                    </button>
                  </>
                ) : (
                  <p className="max-w-md text-sm text-slate-600 dark:text-slate-300">
                    Nobody has created a knowledge base in this organization yet. As a viewer you can search
                    them here once an editor creates one.
                  </p>
                )}
              </>
            )}
          </EmptyState>
        }
      >
        <ul aria-label="Knowledge bases" className="flex flex-col gap-3">
          {shown.map((base) => (
            <li
              key={base.id}
              data-testid="knowledge-row"
              className="flex flex-wrap items-center gap-4 rounded-lg border border-slate-200 px-4 py-3 dark:border-slate-800"
            >
              <div className="min-w-0 flex-1">
                <h2 className="truncate font-medium">
                  <Link href={`/knowledge/${base.id}`} className="hover:underline">
                    {base.name}
                  </Link>
                </h2>
                <p className="truncate text-sm text-slate-600 dark:text-slate-300">
                  {base.description || 'No description'}
                </p>
                <p className="text-xs text-slate-500 dark:text-slate-400">
                  {plural(base.document_count, 'document')} · {plural(base.chunk_count, 'chunk')} ·{' '}
                  <span className="font-mono">{base.embedding_model}</span> · updated{' '}
                  {new Date(base.updated_at).toLocaleString()}
                </p>
              </div>
              {canManage && (
                <button
                  type="button"
                  className="btn-secondary text-red-700 dark:text-red-400"
                  aria-label={`Delete ${base.name}`}
                  onClick={() => setDeleting(base)}
                >
                  Delete
                </button>
              )}
            </li>
          ))}
        </ul>
      </PagedList>

      <CreateBaseDialog
        open={createOpen}
        onOpenChange={setCreateOpen}
        onCreated={(base) => {
          notice.info(`Created “${base.name}”. Open it to add documents.`);
          void refresh();
        }}
      />
      <DeleteBaseDialog
        base={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={(base) => {
          notice.info(`Deleted “${base.name}”.`);
          void refresh();
        }}
      />
    </div>
  );
}
