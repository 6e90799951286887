'use client';

import { DialogClose } from '@/components/dialog';

/** A dialog form's buttons: Cancel closes it, the submit button says when the request is on its way. */
export function FormActions({
  submitLabel,
  pendingLabel,
  pending,
}: {
  submitLabel: string;
  pendingLabel: string;
  pending: boolean;
}) {
  return (
    <div className="flex justify-end gap-2">
      <DialogClose asChild>
        <button type="button" className="btn-secondary">
          Cancel
        </button>
      </DialogClose>
      <button type="submit" className="btn" disabled={pending}>
        {pending ? pendingLabel : submitLabel}
      </button>
    </div>
  );
}
