import { describe, expect, it } from 'vitest';
import { paletteItems } from './catalog';
import { configErrors, errorsFor, type FieldSpec, formFor, setIn, textToValue } from './schema-form';

const byKey = (fields: FieldSpec[], key: string) => fields.find((f) => f.key === key) as FieldSpec;

describe('inspector forms from the zod config schemas', () => {
  it('builds a form for every node of the palette', () => {
    for (const item of paletteItems)
      expect(formFor(item.type, item.subtype), `${item.type}.${item.subtype}`).not.toBeNull();
  });

  it('maps strings, numbers, booleans, enums, string lists, nested objects; JSON for the rest', () => {
    const ai = formFor('ai', 'classify') as FieldSpec[];
    expect(byKey(ai, 'user_prompt')).toMatchObject({ kind: 'string', multiline: true, required: true });
    expect(byKey(ai, 'temperature')).toMatchObject({
      kind: 'number',
      integer: false,
      required: false,
      defaultValue: 0,
    });
    expect(byKey(ai, 'labels')).toMatchObject({ kind: 'string-list', required: true });
    expect(byKey(ai, 'retry')).toMatchObject({ kind: 'object', advanced: true });
    const http = formFor('action', 'http_request') as FieldSpec[];
    expect(byKey(http, 'method')).toMatchObject({
      kind: 'enum',
      options: expect.arrayContaining(['GET', 'POST']),
    });
    expect(byKey(http, 'fail_on_status')).toMatchObject({ kind: 'boolean' });
    expect(byKey(http, 'headers')).toMatchObject({ kind: 'json' });
    expect(byKey(http, 'body')).toMatchObject({ kind: 'value' });
    const loop = formFor('logic', 'loop') as FieldSpec[];
    expect(byKey(loop, 'items')).toMatchObject({ kind: 'json' });
    const human = formFor('human', 'approval') as FieldSpec[];
    const approvers = byKey(human, 'approvers');
    expect(approvers.kind).toBe('object');
    if (approvers.kind === 'object')
      expect(byKey(approvers.fields, 'roles')).toMatchObject({ kind: 'enum-list' });
  });

  it('checks the config against the schema, errors by field path', () => {
    const errors = configErrors('ai', 'classify', { user_prompt: '', labels: ['a'] });
    expect(errorsFor(errors, ['user_prompt'])).toHaveLength(1);
    expect(errorsFor(errors, ['labels'])).toHaveLength(1);
    expect(configErrors('ai', 'chat', { model: 'echo', user_prompt: 'hi' })).toEqual({});
  });

  it('sets nested values immutably and removes cleared ones', () => {
    const c = { a: { b: 1 }, x: 1 };
    const next = setIn(c, ['a', 'c'], 2);
    expect(next).toEqual({ a: { b: 1, c: 2 }, x: 1 });
    expect(c).toEqual({ a: { b: 1 }, x: 1 });
    expect(setIn(c, ['x'], undefined)).toEqual({ a: { b: 1 } });
  });

  it('reads free values as JSON when they are JSON, else as text (templates)', () => {
    expect(textToValue('{"reply": "{{node_a.output.text}}"}')).toEqual({ reply: '{{node_a.output.text}}' });
    expect(textToValue('{{trigger.data.x}}')).toBe('{{trigger.data.x}}');
    expect(textToValue('42')).toBe(42);
    expect(textToValue('hello')).toBe('hello');
    expect(textToValue('')).toBeUndefined();
  });
});
