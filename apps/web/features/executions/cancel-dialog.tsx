'use client';

import { useMutation } from '@tanstack/react-query';
import { Dialog, DialogClose } from '@/components/dialog';
import { cancelExecution } from './api';
import { describeExecutionError as describeError } from './errors';

export function CancelExecutionDialog({
  executionId,
  agentName,
  open,
  onOpenChange,
  onRequested,
}: {
  executionId: string;
  agentName: string;
  open: boolean;
  onOpenChange(open: boolean): void;
  onRequested(stopping: boolean): void;
}) {
  const cancel = useMutation({
    mutationFn: () => cancelExecution(executionId),
    onSuccess: (result) => {
      onRequested(result.cancel_requested);
      onOpenChange(false);
    },
  });
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) cancel.reset();
        onOpenChange(next);
      }}
      title="Cancel this execution?"
      description={`The run of “${agentName}” stops: a running step is aborted within about a second, a pending approval is withdrawn. Steps that already finished keep their results. This cannot be undone.`}
    >
      {cancel.isError && (
        <p role="alert" className="alert-error mb-4">
          {describeError(cancel.error)}
        </p>
      )}
      <div className="flex justify-end gap-2">
        <DialogClose asChild>
          <button type="button" className="btn-secondary">
            Keep running
          </button>
        </DialogClose>
        <button
          type="button"
          className="btn-danger"
          disabled={cancel.isPending}
          onClick={() => cancel.mutate()}
        >
          {cancel.isPending ? 'Cancelling…' : 'Cancel execution'}
        </button>
      </div>
    </Dialog>
  );
}
