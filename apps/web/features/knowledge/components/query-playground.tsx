'use client';

import {
  type KnowledgeQueryBody,
  type KnowledgeSearchMode,
  knowledgeQueryBodySchema,
  knowledgeSearchModes,
} from '@agentflow/contracts';
import { type FormEvent, useState } from 'react';
import { Field } from '@/components/field';
import { useFormMutation, validate } from '@/components/form/use-form-mutation';
import { queryBase } from '../api';
import { describeKnowledgeError } from '../errors';

const modeLabel: Record<KnowledgeSearchMode, string> = {
  hybrid: 'Hybrid (vector + keyword)',
  vector: 'Vector (meaning)',
  keyword: 'Keyword (full text)',
};

/**
 * Try retrieval as an agent would: a question, a mode and how many chunks, and the chunks that come
 * back, best first, with their document, position and score.
 */
export function QueryPlayground({ baseId }: { baseId: string }) {
  const [query, setQuery] = useState('');
  const [mode, setMode] = useState<KnowledgeSearchMode>('hybrid');
  const [topK, setTopK] = useState('5');
  const search = useFormMutation({
    mutationFn: (body: KnowledgeQueryBody) => queryBase(baseId, body),
  });
  const { errors } = search;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const top_k = topK.trim() === '' ? Number.NaN : Number(topK);
    search.submit(validate(knowledgeQueryBodySchema, { query, mode, top_k }));
  }

  const results = search.mutation.data;
  return (
    <section aria-labelledby="playground-title" className="flex flex-col gap-4">
      <div>
        <h2 id="playground-title" className="text-lg font-semibold">
          Query playground
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Search this base the way agents do. Scores depend on the mode: cosine similarity, full-text rank, or
          the fused rank of both.
        </p>
      </div>
      <form
        ref={search.form}
        noValidate
        onSubmit={onSubmit}
        className="grid gap-3 sm:grid-cols-[1fr_auto_auto_auto] sm:items-start"
      >
        <div>
          <label htmlFor="field-query" className="label">
            Query
          </label>
          <input
            id="field-query"
            type="search"
            className="input"
            placeholder="What is the refund policy?"
            value={query}
            aria-invalid={errors.query ? true : undefined}
            aria-describedby={errors.query ? 'field-query-error' : undefined}
            onChange={(e) => setQuery(e.target.value)}
          />
          {errors.query && (
            <p id="field-query-error" className="field-error">
              Query {errors.query}
            </p>
          )}
        </div>
        <div>
          <label htmlFor="field-mode" className="label">
            Mode
          </label>
          <select
            id="field-mode"
            className="input"
            value={mode}
            onChange={(e) => setMode(e.target.value as KnowledgeSearchMode)}
          >
            {knowledgeSearchModes.map((m) => (
              <option key={m} value={m}>
                {modeLabel[m]}
              </option>
            ))}
          </select>
        </div>
        <div className="sm:w-24">
          <Field
            name="top_k"
            label="Results"
            type="number"
            inputMode="numeric"
            min={1}
            max={50}
            value={topK}
            onChange={(e) => setTopK(e.target.value)}
            error={errors.top_k}
          />
        </div>
        <button type="submit" className="btn sm:mt-6" disabled={search.mutation.isPending}>
          {search.mutation.isPending ? 'Searching…' : 'Search'}
        </button>
      </form>

      {search.formError && (
        <p role="alert" className="alert-error">
          {describeKnowledgeError(search.formError)}
        </p>
      )}
      <div aria-live="polite">
        {results &&
          (results.data.length === 0 ? (
            <p data-testid="query-no-results" className="text-sm text-slate-600 dark:text-slate-300">
              No chunks matched. Ready documents are searched; queued or failed ones are not.
            </p>
          ) : (
            <ol aria-label="Query results" className="flex flex-col gap-3">
              {results.data.map((r, i) => (
                <li
                  key={r.chunk_id}
                  data-testid="query-result"
                  className="rounded-lg border border-slate-200 p-3 dark:border-slate-800"
                >
                  <div className="mb-1 flex flex-wrap items-baseline gap-x-3 text-xs text-slate-500 dark:text-slate-400">
                    <span className="font-medium text-slate-700 dark:text-slate-200">
                      {i + 1}. <span data-testid="query-result-document">{r.document_name}</span>
                    </span>
                    <span>chunk {r.chunk_index}</span>
                    <span className="tabular-nums" data-testid="query-result-score">
                      score {r.score.toFixed(3)}
                    </span>
                  </div>
                  <p
                    className="max-h-48 overflow-y-auto text-sm whitespace-pre-wrap"
                    data-testid="query-result-text"
                  >
                    {r.text}
                  </p>
                </li>
              ))}
            </ol>
          ))}
      </div>
    </section>
  );
}
