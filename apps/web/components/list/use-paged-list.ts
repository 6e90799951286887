'use client';

import type { Page } from '@agentflow/contracts';
import { type QueryKey, useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';

export type PollInterval<T> = number | false | ((rows: T[]) => number | false);

/**
 * A cursor-paged API list (`{ data, next_cursor }`) as one growing array of rows: the first page on
 * mount, the next on `fetchNextPage()` ("Load more"). `refetchInterval` may depend on the loaded rows
 * (poll while something is still moving); a refetch reloads every page already shown.
 */
export function usePagedList<T>({
  queryKey,
  fetchPage,
  refetchInterval,
  enabled = true,
}: {
  queryKey: QueryKey;
  fetchPage(cursor: string | undefined): Promise<Page<T>>;
  refetchInterval?: PollInterval<T>;
  enabled?: boolean;
}) {
  const list = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled,
    refetchInterval:
      typeof refetchInterval === 'function'
        ? (query) => refetchInterval(query.state.data?.pages.flatMap((p) => p.data) ?? [])
        : refetchInterval,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  return { list, rows };
}

export type PagedList<T> = ReturnType<typeof usePagedList<T>>['list'];

/**
 * Keeps loading the next page while `active`: for filtering on the client (the API has no such
 * parameter), every row must be loaded before "no match" is the truth. Stops at the first error.
 */
export function useLoadAllWhile(list: PagedList<unknown>, active: boolean): void {
  const { hasNextPage, isFetching, isError, fetchNextPage } = list;
  useEffect(() => {
    if (active && hasNextPage && !isFetching && !isError) void fetchNextPage();
  }, [active, hasNextPage, isFetching, isError, fetchNextPage]);
}
