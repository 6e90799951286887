import { describe, expect, it } from 'vitest';
import {
  CUSTOM_MODEL,
  documentsPollInterval,
  formatBytes,
  joinModel,
  matchesModel,
  plural,
  splitModel,
} from './format';

describe('documentsPollInterval', () => {
  it('polls while a document is queued or processing, and stops once all are settled', () => {
    expect(documentsPollInterval([{ status: 'ready' }, { status: 'pending' }])).toBe(1_500);
    expect(documentsPollInterval([{ status: 'processing' }])).toBe(1_500);
    expect(documentsPollInterval([{ status: 'ready' }, { status: 'failed' }])).toBe(false);
    expect(documentsPollInterval([])).toBe(false);
  });
});

describe('formatBytes', () => {
  it('uses binary units like the API limit messages', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });
});

describe('matchesModel', () => {
  const base = { embedding_model: 'local-hash-1536' };
  it('keeps every base without a model, else the bases of that model', () => {
    expect(matchesModel(base, '')).toBe(true);
    expect(matchesModel(base, 'local-hash-1536')).toBe(true);
    expect(matchesModel(base, 'text-embedding-3-small')).toBe(false);
  });
  it('the custom choice stands for every openai-compatible model', () => {
    const ollama = { embedding_model: 'openai-compatible:nomic-embed-text' };
    expect(matchesModel(ollama, CUSTOM_MODEL)).toBe(true);
    expect(matchesModel(ollama, 'local-hash-1536')).toBe(false);
    expect(matchesModel(base, CUSTOM_MODEL)).toBe(false);
  });
});

describe('splitModel / joinModel', () => {
  it('round-trips known and OpenAI-compatible models through the picker', () => {
    for (const model of ['local-hash-1536', 'text-embedding-3-large', 'openai-compatible:nomic-embed-text']) {
      const { choice, custom } = splitModel(model);
      expect(joinModel(choice, custom)).toBe(model);
    }
    expect(splitModel('openai-compatible:bge-m3')).toEqual({ choice: CUSTOM_MODEL, custom: 'bge-m3' });
    expect(joinModel(CUSTOM_MODEL, '  bge-m3 ')).toBe('openai-compatible:bge-m3');
  });
});

describe('plural', () => {
  it('says one and many', () => {
    expect(plural(1, 'document')).toBe('1 document');
    expect(plural(0, 'chunk')).toBe('0 chunks');
    expect(plural(1200, 'chunk')).toBe(`${(1200).toLocaleString()} chunks`);
  });
});
