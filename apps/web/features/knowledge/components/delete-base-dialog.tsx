'use client';

import type { KnowledgeBase } from '@agentflow/contracts';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { deleteBase } from '../api';
import { describeKnowledgeError } from '../errors';
import { plural } from '../format';

/** Confirms deleting a base: its documents, chunks and stored files go with it. */
export function DeleteBaseDialog({
  base,
  onClose,
  onDeleted,
}: {
  base: KnowledgeBase | null;
  onClose(): void;
  onDeleted(base: KnowledgeBase): void;
}) {
  return (
    <ConfirmDialog
      open={base !== null}
      onClose={onClose}
      title={base ? `Delete “${base.name}”?` : 'Delete knowledge base?'}
      description={`${plural(base?.document_count ?? 0, 'document')} with their chunks and stored files are deleted, and agents that search this base will find nothing there. This cannot be undone.`}
      confirmLabel="Delete knowledge base"
      pendingLabel="Deleting…"
      confirm={() => (base ? deleteBase(base.id) : Promise.resolve())}
      onDone={() => base && onDeleted(base)}
      describeError={describeKnowledgeError}
    />
  );
}
