'use client';

import { useMutation } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Dialog, DialogClose } from './dialog';

/**
 * "Are you sure?" for a destructive action: `confirm` runs on the red button; the dialog stays open
 * with the error if it fails, and closes (then `onDone`) when it succeeds.
 */
export function ConfirmDialog({
  open,
  onClose,
  title,
  description,
  confirmLabel,
  pendingLabel,
  cancelLabel = 'Cancel',
  confirm,
  onDone,
  describeError,
}: {
  open: boolean;
  onClose(): void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  cancelLabel?: string;
  confirm(): Promise<unknown>;
  onDone(): void;
  describeError(err: unknown): string;
}) {
  const action = useMutation({
    mutationFn: confirm,
    onSuccess: () => {
      onDone();
      onClose();
    },
  });
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) {
          action.reset();
          onClose();
        }
      }}
      title={title}
      description={description}
    >
      {action.isError && (
        <p role="alert" className="alert-error mb-4">
          {describeError(action.error)}
        </p>
      )}
      <div className="flex justify-end gap-2">
        <DialogClose asChild>
          <button type="button" className="btn-secondary">
            {cancelLabel}
          </button>
        </DialogClose>
        <button
          type="button"
          className="btn-danger"
          disabled={action.isPending}
          onClick={() => action.mutate()}
        >
          {action.isPending ? pendingLabel : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
