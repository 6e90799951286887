import { AgentFlowError } from '@agentflow/sdk';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldErrors, humanize, zodFieldErrors } from './errors';

describe('humanize', () => {
  it("puts zod's default wording in plain words", () => {
    expect(humanize('Too small: expected string to have >=1 characters')).toBe('is required');
    expect(humanize('Too small: expected number to be >=100')).toBe('must be at least 100');
    expect(humanize('Too big: expected number to be <=50')).toBe('must be at most 50');
    expect(humanize('Invalid input: expected int, received number')).toBe('must be a whole number');
    expect(humanize('Invalid input: expected number, received NaN')).toBe('must be a number');
    expect(humanize('must be smaller than chunk_size')).toBe('must be smaller than chunk size');
  });
});

describe('zodFieldErrors and fieldErrors', () => {
  const schema = z.object({ name: z.string().min(1), top_k: z.number().int().max(50) });

  it('client-side issues read like the API field errors, first issue per field', () => {
    const parsed = schema.safeParse({ name: '', top_k: 99.5 });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(zodFieldErrors(parsed.error)).toEqual({ name: 'is required', top_k: 'must be a whole number' });
  });

  it('reads the API details.fields the same way', () => {
    const err = new AgentFlowError({
      status: 422,
      code: 'VALIDATION_ERROR',
      message: 'invalid',
      details: { fields: [{ path: 'body.top_k', message: 'Too big: expected number to be <=50' }] },
    });
    expect(fieldErrors(err)).toEqual({ top_k: 'must be at most 50' });
  });
});
