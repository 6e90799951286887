'use client';

import { Field } from '@/components/field';
import type { BaseFormValues } from '../base-form';
import { CUSTOM_MODEL, type ModelChoice, modelChoiceLabel, modelChoices } from '../format';

/** Chunking, as the contract bounds it (chunk_size 100..8000, chunk_overlap 0..7999 and below the size). */
const chunkFields = [
  {
    name: 'chunk_size',
    key: 'chunkSize',
    label: 'Chunk size',
    min: 100,
    max: 8000,
    hint: 'Characters per chunk, 100 to 8000.',
  },
  {
    name: 'chunk_overlap',
    key: 'chunkOverlap',
    label: 'Overlap',
    min: 0,
    max: 7999,
    hint: 'Characters shared by neighbouring chunks.',
  },
] as const;

/**
 * The fields of a knowledge base (create and settings): name, description, embedding model, chunking.
 * Errors are keyed by the API's field names, from client-side validation or the API's answer.
 */
export function BaseFields({
  values,
  onChange,
  errors,
}: {
  values: BaseFormValues;
  onChange(patch: Partial<BaseFormValues>): void;
  errors: Record<string, string>;
}) {
  const modelError = errors.embedding_model;
  return (
    <>
      <Field
        name="name"
        label="Name"
        required
        autoComplete="off"
        value={values.name}
        onChange={(e) => onChange({ name: e.target.value })}
        error={errors.name}
      />
      <div>
        <label htmlFor="field-description" className="label">
          Description <span className="font-normal text-slate-500">(optional)</span>
        </label>
        <textarea
          id="field-description"
          name="description"
          rows={2}
          className="input"
          value={values.description}
          aria-invalid={errors.description ? true : undefined}
          aria-describedby={errors.description ? 'field-description-error' : undefined}
          onChange={(e) => onChange({ description: e.target.value })}
        />
        {errors.description && (
          <p id="field-description-error" className="field-error">
            Description {errors.description}
          </p>
        )}
      </div>
      <div>
        <label htmlFor="field-embedding_model" className="label">
          Embedding model
        </label>
        <select
          id="field-embedding_model"
          className="input"
          value={values.modelChoice}
          aria-invalid={modelError && values.modelChoice !== CUSTOM_MODEL ? true : undefined}
          aria-describedby="field-embedding_model-hint"
          onChange={(e) => onChange({ modelChoice: e.target.value as ModelChoice })}
        >
          {modelChoices.map((c) => (
            <option key={c} value={c}>
              {modelChoiceLabel[c]}
            </option>
          ))}
        </select>
        <p id="field-embedding_model-hint" className="mt-1 text-xs text-slate-500 dark:text-slate-400">
          The built-in model works offline with no API key. OpenAI models use the organization&apos;s OpenAI
          key; an OpenAI-compatible model is one of the organization&apos;s configured models.
        </p>
        {modelError && values.modelChoice !== CUSTOM_MODEL && (
          <p className="field-error" data-testid="error-embedding_model">
            Embedding model {modelError}
          </p>
        )}
      </div>
      {values.modelChoice === CUSTOM_MODEL && (
        <Field
          name="custom_model"
          label="Model name"
          required
          autoComplete="off"
          placeholder="nomic-embed-text"
          value={values.customModel}
          onChange={(e) => onChange({ customModel: e.target.value })}
          error={modelError && customModelError(values.customModel)}
        />
      )}
      <div className="grid gap-3 sm:grid-cols-2">
        {chunkFields.map((f) => (
          <Field
            key={f.name}
            name={f.name}
            label={f.label}
            type="number"
            inputMode="numeric"
            min={f.min}
            max={f.max}
            step={1}
            required
            hint={f.hint}
            value={values[f.key]}
            onChange={(e) => onChange({ [f.key]: e.target.value })}
            error={errors[f.name]}
          />
        ))}
      </div>
    </>
  );
}

/** The contract's message lists every known model; for a typed model name, say what is wrong with it. */
function customModelError(name: string): string {
  return name.trim() === '' ? 'is required' : 'may use letters, digits and . _ : / - only (at most 80)';
}
