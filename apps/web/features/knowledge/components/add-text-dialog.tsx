'use client';

import { addTextDocumentBodySchema, type UploadedKnowledgeDocument } from '@agentflow/contracts';
import { type FormEvent, useState } from 'react';
import { Dialog } from '@/components/dialog';
import { Field } from '@/components/field';
import { FormActions } from '@/components/form/form-actions';
import { useFormMutation, validate } from '@/components/form/use-form-mutation';
import { addTextDocument } from '../api';
import { describeKnowledgeError } from '../errors';

const empty = { name: '', text: '', format: 'text' as 'text' | 'markdown' };

/** Pasted text or Markdown as a document (Markdown is split on its headings). */
export function AddTextDialog({
  baseId,
  open,
  onOpenChange,
  onAdded,
}: {
  baseId: string;
  open: boolean;
  onOpenChange(open: boolean): void;
  onAdded(doc: UploadedKnowledgeDocument): void;
}) {
  const [values, setValues] = useState(empty);
  const add = useFormMutation({
    mutationFn: (body: typeof empty) => addTextDocument(baseId, body),
    onSuccess: (doc) => {
      onAdded(doc);
      close();
    },
  });
  const { errors } = add;

  function close() {
    setValues(empty);
    add.reset();
    onOpenChange(false);
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    add.submit(validate(addTextDocumentBodySchema, values));
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => (next ? onOpenChange(true) : close())}
      title="Add text"
      description="Paste notes, an FAQ or any text. It becomes a document of this base like an uploaded file."
    >
      <form ref={add.form} noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
        {add.formError && (
          <p role="alert" className="alert-error">
            {describeKnowledgeError(add.formError)}
          </p>
        )}
        <Field
          name="text-name"
          label="Name"
          autoComplete="off"
          value={values.name}
          onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))}
          error={errors.name}
        />
        <fieldset>
          <legend className="label">Format</legend>
          <div className="flex gap-4 text-sm">
            {(['text', 'markdown'] as const).map((format) => (
              <label key={format} className="flex items-center gap-2">
                <input
                  type="radio"
                  name="format"
                  value={format}
                  checked={values.format === format}
                  onChange={() => setValues((v) => ({ ...v, format }))}
                />
                {format === 'text' ? 'Plain text' : 'Markdown'}
              </label>
            ))}
          </div>
        </fieldset>
        <div>
          <label htmlFor="field-text" className="label">
            Text
          </label>
          <textarea
            id="field-text"
            rows={8}
            className="input font-mono"
            value={values.text}
            aria-invalid={errors.text ? true : undefined}
            aria-describedby={errors.text ? 'field-text-error' : undefined}
            onChange={(e) => setValues((v) => ({ ...v, text: e.target.value }))}
          />
          {errors.text && (
            <p id="field-text-error" className="field-error">
              Text {errors.text}
            </p>
          )}
        </div>
        <FormActions submitLabel="Add text" pendingLabel="Adding…" pending={add.mutation.isPending} />
      </form>
    </Dialog>
  );
}
