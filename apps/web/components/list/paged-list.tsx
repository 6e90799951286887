'use client';

import type { ReactNode } from 'react';
import type { PagedList as PagedListQuery } from './use-paged-list';

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The states every paged list goes through, in one place: a pulsing skeleton while the first page
 * loads, an error with "Try again", the empty state (`empty`, when there are no rows), else the rows
 * (`children`) followed by "Load more" while the API has a next page and its error if that fails.
 */
export function PagedList({
  list,
  count,
  noun,
  describeError,
  empty,
  skeleton = { rows: 3, className: 'h-20' },
  children,
}: {
  list: PagedListQuery<unknown>;
  /** Rows shown (after any client-side filtering). */
  count: number;
  /** Plural, lower case: "agents" -> "Loading agents", "Agents could not be loaded." */
  noun: string;
  describeError(err: unknown): string;
  empty: ReactNode;
  skeleton?: { rows: number; className: string };
  children: ReactNode;
}) {
  if (list.isPending) {
    return (
      <ul aria-busy="true" aria-label={`Loading ${noun}`} className="flex flex-col gap-3">
        {Array.from({ length: skeleton.rows }, (_, i) => `placeholder-${i}`).map((key) => (
          <li
            key={key}
            className={`${skeleton.className} animate-pulse rounded-lg bg-slate-100 dark:bg-slate-900`}
          />
        ))}
      </ul>
    );
  }
  if (list.isError && !list.isFetchNextPageError) {
    return (
      <div role="alert" className="alert-error flex items-center justify-between gap-3">
        <span>
          {capitalized(noun)} could not be loaded. {describeError(list.error)}
        </span>
        <button type="button" className="btn-secondary" onClick={() => void list.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  if (count === 0 && !list.hasNextPage) return <>{empty}</>;
  return (
    <>
      {children}
      {list.hasNextPage && (
        <div className="flex justify-center">
          <button
            type="button"
            className="btn-secondary"
            disabled={list.isFetchingNextPage}
            onClick={() => void list.fetchNextPage()}
          >
            {list.isFetchingNextPage ? 'Loading more…' : 'Load more'}
          </button>
        </div>
      )}
      {list.isFetchNextPageError && (
        <p role="alert" className="alert-error">
          More {noun} could not be loaded. {describeError(list.error)}
        </p>
      )}
    </>
  );
}

/** The dashed box of an empty list; `testId` lets tests wait for it. */
export function EmptyState({ testId, children }: { testId: string; children: ReactNode }) {
  return (
    <div
      data-testid={testId}
      className="flex flex-col items-center gap-3 rounded-lg border border-dashed border-slate-300 px-6 py-12 text-center dark:border-slate-700"
    >
      {children}
    </div>
  );
}

/** What an empty list says when filters are set: nothing matches, and a way back. */
export function NoMatches({ noun, onClear }: { noun: string; onClear(): void }) {
  return (
    <>
      <h2 className="text-lg font-medium">No {noun} match these filters</h2>
      <button type="button" className="btn-secondary" onClick={onClear}>
        Clear filters
      </button>
    </>
  );
}
