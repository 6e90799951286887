'use client';

import { defaultEmbeddingModel, type KnowledgeBase } from '@agentflow/contracts';
import { type FormEvent, useState } from 'react';
import { Dialog } from '@/components/dialog';
import { FormActions } from '@/components/form/form-actions';
import { useFormMutation } from '@/components/form/use-form-mutation';
import { createBase } from '../api';
import { type BaseFormValues, readBaseForm } from '../base-form';
import { describeKnowledgeError } from '../errors';
import { BaseFields } from './base-fields';

const initialValues: BaseFormValues = {
  name: '',
  description: '',
  modelChoice: defaultEmbeddingModel,
  customModel: '',
  chunkSize: '1000',
  chunkOverlap: '200',
};

export function CreateBaseDialog({
  open,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  onOpenChange(open: boolean): void;
  onCreated(base: KnowledgeBase): void;
}) {
  const [values, setValues] = useState(initialValues);
  const create = useFormMutation({
    mutationFn: createBase,
    onSuccess: (base) => {
      onCreated(base);
      close();
    },
  });

  function close() {
    setValues(initialValues);
    create.reset();
    onOpenChange(false);
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    create.submit(readBaseForm(values));
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => (next ? onOpenChange(true) : close())}
      title="New knowledge base"
      description="Documents you add are split into chunks and embedded, so agents and the query playground can search them."
    >
      <form ref={create.form} noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
        {create.formError && (
          <p role="alert" className="alert-error">
            {describeKnowledgeError(create.formError)}
          </p>
        )}
        <BaseFields
          values={values}
          onChange={(patch) => setValues((v) => ({ ...v, ...patch }))}
          errors={create.errors}
        />
        <FormActions
          submitLabel="Create knowledge base"
          pendingLabel="Creating…"
          pending={create.mutation.isPending}
        />
      </form>
    </Dialog>
  );
}
