'use client';

import type { Agent } from '@agentflow/contracts';
import { useMutation } from '@tanstack/react-query';
import { Dialog, DialogClose } from '@/components/dialog';
import { describeError } from '@/lib/errors';
import { archiveAgent } from './queries';

export function ArchiveDialog({
  agent,
  onClose,
  onArchived,
}: {
  agent: Agent | null;
  onClose(): void;
  onArchived(agent: Agent): void;
}) {
  const archive = useMutation({
    mutationFn: archiveAgent,
    onSuccess: (_, archived) => {
      onArchived(archived);
      onClose();
    },
  });

  return (
    <Dialog
      open={agent !== null}
      onOpenChange={(open) => {
        if (!open) {
          archive.reset();
          onClose();
        }
      }}
      title={agent ? `Archive “${agent.name}”?` : 'Archive agent?'}
      description="It stops running and leaves the list. Its versions and run history are kept, and you can still find it under the Archived status filter and clone it."
    >
      {archive.isError && (
        <p role="alert" className="alert-error mb-4">
          {describeError(archive.error)}
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
          className="btn-danger"
          disabled={archive.isPending || !agent}
          onClick={() => agent && archive.mutate(agent)}
        >
          {archive.isPending ? 'Archiving…' : 'Archive agent'}
        </button>
      </div>
    </Dialog>
  );
}
