'use client';

import type { Agent } from '@agentflow/contracts';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Dialog, DialogClose } from '@/components/dialog';
import { Field } from '@/components/field';
import { describeError, fieldErrors } from '@/lib/errors';
import { createAgent } from './queries';

const templates = [
  {
    value: 'starter',
    label: 'Starter template',
    hint: 'A manual trigger, an AI step on the offline echo model and an output: runs right away.',
  },
  { value: 'blank', label: 'Blank', hint: 'An empty graph to build on the canvas.' },
] as const;

export function CreateAgentDialog({
  open,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  onOpenChange(open: boolean): void;
  onCreated(agent: Agent): void;
}) {
  const [template, setTemplate] = useState<'starter' | 'blank'>('starter');
  const create = useMutation({
    mutationFn: createAgent,
    onSuccess: (agent) => {
      onCreated(agent);
      onOpenChange(false);
    },
  });
  const fields = create.isError ? fieldErrors(create.error) : {};

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const description = String(form.get('description') ?? '').trim();
    create.mutate({
      name: String(form.get('name') ?? ''),
      ...(description ? { description } : {}),
      template,
    });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) create.reset();
        onOpenChange(next);
      }}
      title="New agent"
      description="Give it a name and pick how its graph starts. You can change everything later."
    >
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
        {create.isError && Object.keys(fields).length === 0 && (
          <p role="alert" className="alert-error">
            {describeError(create.error)}
          </p>
        )}
        <Field name="name" label="Name" required autoComplete="off" error={fields.name} />
        <div>
          <label htmlFor="field-description" className="label">
            Description <span className="font-normal text-slate-500">(optional)</span>
          </label>
          <textarea id="field-description" name="description" rows={3} className="input" />
          {fields.description && <p className="field-error">Description {fields.description}</p>}
        </div>
        <fieldset>
          <legend className="label">Start from</legend>
          <div className="flex flex-col gap-2">
            {templates.map((t) => (
              <label
                key={t.value}
                className="flex cursor-pointer items-start gap-3 rounded-md border border-slate-200 p-3 has-checked:border-indigo-500 dark:border-slate-700"
              >
                <input
                  type="radio"
                  name="template"
                  value={t.value}
                  checked={template === t.value}
                  onChange={() => setTemplate(t.value)}
                  className="mt-1"
                />
                <span>
                  <span className="block text-sm font-medium">{t.label}</span>
                  <span className="block text-xs text-slate-600 dark:text-slate-300">{t.hint}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="flex justify-end gap-2">
          <DialogClose asChild>
            <button type="button" className="btn-secondary">
              Cancel
            </button>
          </DialogClose>
          <button type="submit" className="btn" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create agent'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
