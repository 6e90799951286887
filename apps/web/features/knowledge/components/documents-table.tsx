'use client';

import type { KnowledgeDocument } from '@agentflow/contracts';
import { type Column, DataTable } from '@/components/list/data-table';
import { EmptyState, PagedList } from '@/components/list/paged-list';
import type { PagedList as PagedListQuery } from '@/components/list/use-paged-list';
import { describeKnowledgeError } from '../errors';
import { documentStatusClass, documentStatusLabel, fileTypeLabel, formatBytes, isInFlight } from '../format';

const sourceLabel: Record<KnowledgeDocument['source_type'], string> = {
  upload: 'Upload',
  url: 'URL',
  text: 'Pasted text',
};

const columns: Column[] = [
  { label: 'Name' },
  { label: 'Type' },
  { label: 'Size', numeric: true },
  { label: 'Status' },
  { label: 'Chunks', numeric: true },
  { label: 'Added' },
];
const actionsColumn: Column = { label: 'Actions', hidden: true };

/**
 * A base's documents with their ingestion state: queued and processing rows show a progress bar (the
 * list is polled meanwhile), failed ones say why. Managers get re-index and delete per row.
 */
export function DocumentsTable({
  list,
  rows,
  canManage,
  busyId,
  onReindex,
  onDelete,
}: {
  list: PagedListQuery<KnowledgeDocument>;
  rows: KnowledgeDocument[];
  canManage: boolean;
  /** A row whose re-index request is on its way. */
  busyId: string | null;
  onReindex(doc: KnowledgeDocument): void;
  onDelete(doc: KnowledgeDocument): void;
}) {
  return (
    <PagedList
      list={list}
      count={rows.length}
      noun="documents"
      describeError={describeKnowledgeError}
      skeleton={{ rows: 3, className: 'h-12' }}
      empty={
        <EmptyState testId="documents-empty">
          <h3 className="font-medium">No documents yet</h3>
          <p className="max-w-md text-sm text-slate-600 dark:text-slate-300">
            {canManage
              ? 'Upload files, add a web page or paste text above. Each is split into chunks and embedded.'
              : 'An editor of this organization can add documents to this base.'}
          </p>
        </EmptyState>
      }
    >
      <DataTable
        caption="Documents of this knowledge base, newest first"
        columns={canManage ? [...columns, actionsColumn] : columns}
      >
        {rows.map((doc) => (
          <tr key={doc.id} data-testid="document-row" data-status={doc.status}>
            <td className="max-w-xs px-4 py-2">
              <span className="block truncate font-medium" title={doc.name}>
                {doc.name}
              </span>
              {doc.source_url && (
                <a
                  href={doc.source_url}
                  target="_blank"
                  rel="noopener noreferrer"
                  className="block truncate text-xs text-indigo-700 hover:underline dark:text-indigo-300"
                >
                  {doc.source_url}
                </a>
              )}
            </td>
            <td className="px-4 py-2 whitespace-nowrap">
              {fileTypeLabel(doc.file_type)}
              <span className="block text-xs text-slate-500 dark:text-slate-400">
                {sourceLabel[doc.source_type]}
              </span>
            </td>
            <td className="px-4 py-2 text-right whitespace-nowrap tabular-nums">
              {formatBytes(doc.size_bytes)}
            </td>
            <td className="px-4 py-2">
              <DocumentStatus doc={doc} />
            </td>
            <td className="px-4 py-2 text-right tabular-nums" data-testid="document-chunks">
              {doc.chunk_count.toLocaleString()}
            </td>
            <td className="px-4 py-2 whitespace-nowrap">{new Date(doc.created_at).toLocaleString()}</td>
            {canManage && (
              <td className="px-4 py-2">
                <div className="flex justify-end gap-2">
                  <button
                    type="button"
                    className="btn-ghost whitespace-nowrap"
                    aria-label={`Re-index ${doc.name}`}
                    disabled={isInFlight(doc) || busyId === doc.id}
                    onClick={() => onReindex(doc)}
                  >
                    Re-index
                  </button>
                  <button
                    type="button"
                    className="btn-ghost text-red-700 dark:text-red-400"
                    aria-label={`Delete ${doc.name}`}
                    onClick={() => onDelete(doc)}
                  >
                    Delete
                  </button>
                </div>
              </td>
            )}
          </tr>
        ))}
      </DataTable>
    </PagedList>
  );
}

function DocumentStatus({ doc }: { doc: KnowledgeDocument }) {
  return (
    <div className="flex min-w-32 flex-col gap-1">
      <span
        data-testid="document-status"
        data-status={doc.status}
        className={`inline-flex w-fit items-center rounded-full px-2 py-0.5 text-xs font-medium ${documentStatusClass[doc.status]}`}
      >
        {documentStatusLabel[doc.status]}
      </span>
      {isInFlight(doc) && (
        // No percentage reaches the browser (progress events stay on the server's bus): indeterminate.
        <div
          role="progressbar"
          aria-label={`Ingesting ${doc.name}`}
          className="h-1 w-24 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
        >
          <div className="h-full w-1/3 animate-pulse rounded-full bg-sky-500" />
        </div>
      )}
      {doc.status === 'failed' && doc.error && (
        <p data-testid="document-error" className="max-w-xs text-xs text-red-700 dark:text-red-400">
          {doc.error}
        </p>
      )}
    </div>
  );
}
