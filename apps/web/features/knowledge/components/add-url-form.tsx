'use client';

import { type AddUrlDocumentBody, addUrlDocumentBodySchema } from '@agentflow/contracts';
import { type FormEvent, useState } from 'react';
import { useFormMutation, validate } from '@/components/form/use-form-mutation';
import { addUrlDocument } from '../api';
import { describeKnowledgeError } from '../errors';

/** A web page or file by URL: the ingestion job fetches it (through the API's SSRF guard). */
export function AddUrlForm({ baseId, onAdded }: { baseId: string; onAdded(name: string): void }) {
  const [url, setUrl] = useState('');
  const add = useFormMutation({
    mutationFn: (body: AddUrlDocumentBody) => addUrlDocument(baseId, body),
    onSuccess: (doc) => {
      setUrl('');
      onAdded(doc.name);
    },
  });
  const error = add.errors.url;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    add.submit(validate(addUrlDocumentBodySchema, { url: url.trim() }));
  }

  return (
    <form ref={add.form} noValidate onSubmit={onSubmit} className="flex flex-col gap-2">
      <label htmlFor="add-url" className="label">
        Add a web page by URL
      </label>
      <div className="flex flex-wrap gap-2">
        <input
          id="add-url"
          type="url"
          inputMode="url"
          className="input min-w-0 flex-1"
          placeholder="https://example.com/handbook"
          value={url}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'add-url-error' : undefined}
          onChange={(e) => setUrl(e.target.value)}
        />
        <button type="submit" className="btn-secondary" disabled={add.mutation.isPending}>
          {add.mutation.isPending ? 'Adding…' : 'Add URL'}
        </button>
      </div>
      {error && (
        <p id="add-url-error" className="field-error">
          URL {error}
        </p>
      )}
      {add.formError && (
        <p role="alert" className="alert-error">
          {describeKnowledgeError(add.formError)}
        </p>
      )}
    </form>
  );
}
