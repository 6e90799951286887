'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { z } from 'zod';
import { usePagedList } from '@/components/list/use-paged-list';
import { useAuthStore } from '@/lib/auth-store';
import { getBase, listDocuments } from './api';
import { documentsPollInterval } from './format';

/** Query keys of the knowledge area, per org (an org switch never shows the previous org's rows). */
export const knowledgeKeys = {
  /** Every list of the org's bases (invalidate this); one search's list is `basesMatching`. */
  bases: (orgId: string | undefined) => ['knowledge-bases', orgId] as const,
  basesMatching: (orgId: string | undefined, search: string) =>
    ['knowledge-bases', orgId, { search }] as const,
  base: (orgId: string | undefined, id: string) => ['knowledge-base', orgId, id] as const,
  documents: (orgId: string | undefined, id: string) => ['knowledge-documents', orgId, id] as const,
};

/**
 * A base and its documents. The documents are polled while any is queued or processing (ingestion
 * runs on the worker; the API has no HTTP/WebSocket progress feed), and the base's counts are
 * refetched when they settle.
 */
export function useKnowledgeBase(id: string) {
  const orgId = useAuthStore((s) => s.session?.organization.id);
  const queryClient = useQueryClient();
  // A malformed id in the address is no base at all: not worth a request the API would refuse (422).
  const valid = z.uuid().safeParse(id).success;
  const base = useQuery({
    queryKey: knowledgeKeys.base(orgId, id),
    queryFn: () => getBase(id),
    enabled: valid,
  });
  const documents = usePagedList({
    queryKey: knowledgeKeys.documents(orgId, id),
    fetchPage: (cursor) => listDocuments(id, cursor),
    refetchInterval: documentsPollInterval,
    enabled: valid,
  });
  const busy = documentsPollInterval(documents.rows) !== false;

  const wasBusy = useRef(busy);
  useEffect(() => {
    if (wasBusy.current && !busy) {
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.base(orgId, id) });
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.bases(orgId) });
    }
    wasBusy.current = busy;
  }, [busy, queryClient, orgId, id]);

  /** After adding, deleting or re-indexing: the table (which then polls) and the counts. */
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: knowledgeKeys.documents(orgId, id) }),
      queryClient.invalidateQueries({ queryKey: knowledgeKeys.base(orgId, id) }),
      queryClient.invalidateQueries({ queryKey: knowledgeKeys.bases(orgId) }),
    ]);

  return { valid, base, documents, busy, refresh };
}
