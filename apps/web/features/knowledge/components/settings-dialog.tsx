'use client';

import type { KnowledgeBase, ReindexResponse, UpdateKnowledgeBaseBody } from '@agentflow/contracts';
import { type FormEvent, useState } from 'react';
import { Dialog } from '@/components/dialog';
import { FormActions } from '@/components/form/form-actions';
import { useFormMutation } from '@/components/form/use-form-mutation';
import { reindexBase, updateBase } from '../api';
import { formValuesOf, needsReindex, readBaseForm, settingsChanges } from '../base-form';
import { describeKnowledgeError } from '../errors';
import { plural } from '../format';
import { BaseFields } from './base-fields';

export interface SettingsOutcome {
  base: KnowledgeBase;
  changed: boolean;
  /** The re-index that followed, when asked for: what was queued, or why it could not be. */
  reindex?: { queued: ReindexResponse } | { error: unknown };
}

interface SaveRequest {
  changes: UpdateKnowledgeBaseBody;
  thenReindex: boolean;
}

/**
 * Edits a base. New chunking or a new embedding model only apply to documents ingested afterwards,
 * so when those change (and the base has documents) it offers to re-index them all right away.
 */
export function SettingsDialog({
  base,
  open,
  onOpenChange,
  onSaved,
}: {
  base: KnowledgeBase;
  open: boolean;
  onOpenChange(open: boolean): void;
  onSaved(outcome: SettingsOutcome): void;
}) {
  const [values, setValues] = useState(() => formValuesOf(base));
  const [reindex, setReindex] = useState(true);
  const save = useFormMutation({
    mutationFn: async ({ changes, thenReindex }: SaveRequest): Promise<SettingsOutcome> => {
      if (Object.keys(changes).length === 0) return { base, changed: false };
      const saved = await updateBase(base.id, changes);
      if (!thenReindex) return { base: saved, changed: true };
      // The settings are saved either way: a refused re-index is reported, not a failed save.
      return reindexBase(base.id).then(
        (queued) => ({ base: saved, changed: true, reindex: { queued } }),
        (error: unknown) => ({ base: saved, changed: true, reindex: { error } }),
      );
    },
    onSuccess: (outcome) => {
      onSaved(outcome);
      onOpenChange(false);
    },
  });

  const draft = readBaseForm(values);
  const changes = draft.ok ? settingsChanges(base, draft.body) : {};
  const offerReindex = needsReindex(changes) && base.document_count > 0;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.submit(draft.ok ? { ok: true, body: { changes, thenReindex: offerReindex && reindex } } : draft);
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (next) return onOpenChange(true);
        // Reopening starts from the stored settings, not from an abandoned edit.
        setValues(formValuesOf(base));
        save.reset();
        onOpenChange(false);
      }}
      title="Knowledge base settings"
      description="Chunking and the embedding model apply to documents ingested after the change."
    >
      <form ref={save.form} noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
        {save.formError && (
          <p role="alert" className="alert-error">
            {describeKnowledgeError(save.formError)}
          </p>
        )}
        <BaseFields
          values={values}
          onChange={(patch) => setValues((v) => ({ ...v, ...patch }))}
          errors={save.errors}
        />
        {offerReindex && (
          <label className="flex items-start gap-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
            <input
              type="checkbox"
              className="mt-1"
              checked={reindex}
              onChange={(e) => setReindex(e.target.checked)}
            />
            <span>
              Re-index the {plural(base.document_count, 'existing document')} with the new settings now. Until
              then they keep the chunks and vectors of the old settings.
            </span>
          </label>
        )}
        <FormActions submitLabel="Save settings" pendingLabel="Saving…" pending={save.mutation.isPending} />
      </form>
    </Dialog>
  );
}
