import type { KnowledgeBase } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import { type BaseFormValues, formValuesOf, needsReindex, readBaseForm, settingsChanges } from './base-form';

const values: BaseFormValues = {
  name: 'Handbook',
  description: '',
  modelChoice: 'local-hash-1536',
  customModel: '',
  chunkSize: '1000',
  chunkOverlap: '200',
};

const stored: KnowledgeBase = {
  id: '6f1c1c56-8a9e-4a8e-9d55-0a0f6f2d8e11',
  name: 'Handbook',
  description: null,
  embedding_model: 'local-hash-1536',
  chunk_size: 1000,
  chunk_overlap: 200,
  document_count: 2,
  chunk_count: 9,
  created_at: '2026-11-21T10:00:00.000Z',
  updated_at: '2026-11-21T10:00:00.000Z',
};

describe('readBaseForm', () => {
  it('turns valid input into the create body (empty description = null)', () => {
    expect(readBaseForm({ ...values, name: '  Handbook ' })).toEqual({
      ok: true,
      body: {
        name: 'Handbook',
        description: null,
        embedding_model: 'local-hash-1536',
        chunk_size: 1000,
        chunk_overlap: 200,
      },
    });
    const custom = readBaseForm({
      ...values,
      modelChoice: 'openai-compatible',
      customModel: 'nomic-embed-text',
    });
    expect(custom.ok && custom.body.embedding_model).toBe('openai-compatible:nomic-embed-text');
  });

  it('names each failing field in the words the API would use', () => {
    const result = readBaseForm({ ...values, name: ' ', chunkSize: '50', chunkOverlap: '2.5' });
    expect(result).toEqual({
      ok: false,
      errors: {
        name: 'is required',
        chunk_size: 'must be at least 100',
        chunk_overlap: 'must be a whole number',
      },
    });
  });

  it('refuses an overlap that is not below the chunk size, and emptied numbers', () => {
    expect(readBaseForm({ ...values, chunkSize: '500', chunkOverlap: '500' })).toEqual({
      ok: false,
      errors: { chunk_overlap: 'must be smaller than chunk size' },
    });
    expect(readBaseForm({ ...values, chunkSize: '', chunkOverlap: 'x' })).toEqual({
      ok: false,
      errors: { chunk_size: 'is required', chunk_overlap: 'must be a number' },
    });
  });

  it('refuses an OpenAI-compatible model without a usable name', () => {
    const result = readBaseForm({ ...values, modelChoice: 'openai-compatible', customModel: 'bad name!' });
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors)).toEqual(['embedding_model']);
  });
});

describe('settingsChanges / needsReindex', () => {
  it('sends only what changed, and asks for a re-index only for chunking or model changes', () => {
    const same = readBaseForm(formValuesOf(stored));
    expect(same.ok && settingsChanges(stored, same.body)).toEqual({});

    const renamed = readBaseForm({
      ...formValuesOf(stored),
      name: 'Staff handbook',
      description: 'For staff',
    });
    const renameChanges = renamed.ok ? settingsChanges(stored, renamed.body) : null;
    expect(renameChanges).toEqual({ name: 'Staff handbook', description: 'For staff' });
    expect(needsReindex(renameChanges ?? {})).toBe(false);

    const rechunked = readBaseForm({ ...formValuesOf(stored), chunkSize: '400', chunkOverlap: '0' });
    const chunkChanges = rechunked.ok ? settingsChanges(stored, rechunked.body) : null;
    expect(chunkChanges).toEqual({ chunk_size: 400, chunk_overlap: 0 });
    expect(needsReindex(chunkChanges ?? {})).toBe(true);
    expect(needsReindex({ embedding_model: 'text-embedding-3-small' })).toBe(true);
  });

  it('clears a description with null', () => {
    const withDescription = { ...stored, description: 'Old' };
    const cleared = readBaseForm({ ...formValuesOf(withDescription), description: '  ' });
    expect(cleared.ok && settingsChanges(withDescription, cleared.body)).toEqual({ description: null });
  });
});
