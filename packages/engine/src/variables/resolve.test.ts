import { describe, expect, it } from 'vitest';
import { VariableError } from '../errors';
import { compileValue, resolveValue, type Scope, stringify } from './resolve';

const roots: Record<string, unknown> = {
  trigger: {
    type: 'manual',
    data: { email: 'ada@example.com', n: 3, tags: ['a', 'b'], nested: { ok: true }, nothing: null },
  },
  node_classify: { output: { text: 'billing', label: 'billing' }, branch: 'billing' },
  node_fetch: { output: { items: [{ name: 'first' }, { name: 'second' }] } },
  loop: { item: { id: 7 }, index: 0, count: 2 },
};
const scope: Scope = (root) => roots[root];
const resolve = (v: unknown) => resolveValue(v, scope);

describe('variables', () => {
  it('resolves the PRD examples', () => {
    expect(resolve('{{trigger.data.email}}')).toBe('ada@example.com');
    expect(resolve('{{node_classify.output.text}}')).toBe('billing');
    expect(resolve('{{node_fetch.output.items[0].name}}')).toBe('first');
    expect(resolve('{{ node_fetch.output.items[1]["name"] }}')).toBe('second');
    expect(resolve('{{loop.item.id}}')).toBe(7);
  });

  it('keeps the type of a whole-string reference', () => {
    expect(resolve('{{trigger.data.n}}')).toBe(3);
    expect(resolve('{{trigger.data.tags}}')).toEqual(['a', 'b']);
    expect(resolve('{{trigger.data.nested}}')).toEqual({ ok: true });
    expect(resolve('{{trigger.data.nothing}}')).toBeNull();
  });

  it('stringifies embedded references (JSON for objects and arrays)', () => {
    expect(
      resolve(
        'n={{trigger.data.n}} tags={{trigger.data.tags}} obj={{trigger.data.nested}} null={{trigger.data.nothing}}',
      ),
    ).toBe('n=3 tags=["a","b"] obj={"ok":true} null=null');
  });

  it('applies defaults to missing and null values, keeping the literal type', () => {
    expect(resolve('{{trigger.data.missing | default: "x"}}')).toBe('x');
    expect(resolve('{{trigger.data.missing | default: 5}}')).toBe(5);
    expect(resolve('{{trigger.data.nothing | default: "was null"}}')).toBe('was null');
    expect(resolve('{{node_absent.output.text | default: "none"}}')).toBe('none');
    expect(resolve('Hi {{trigger.data.name | default: "friend"}}!')).toBe('Hi friend!');
  });

  it('throws a VariableError naming the path, never "undefined"', () => {
    const cases: Array<[string, string]> = [
      ['{{trigger.data.missing}}', 'trigger.data has no "missing"'],
      ['{{node_fetch.output.items[5].name}}', 'node_fetch.output.items has no item 5'],
      ['x {{node_absent.output.text}}', 'node "absent" has no output'],
      ['{{trigger.data.email.domain}}', 'trigger.data.email has no "domain"'],
    ];
    for (const [template, message] of cases) {
      let caught: unknown;
      try {
        resolve(template);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(VariableError);
      expect((caught as VariableError).message).toContain(message);
      expect((caught as VariableError).message).not.toContain('undefined');
      expect((caught as VariableError).code).toBe('VARIABLE_MISSING');
    }
  });

  it('never walks into prototypes', () => {
    expect(() => resolve('{{trigger.constructor}}')).toThrow(VariableError);
    expect(() => resolve('{{trigger.data.__proto__}}')).toThrow(VariableError);
  });

  it('supports .length on lists and strings', () => {
    expect(resolve('{{trigger.data.tags.length}}')).toBe(2);
    expect(resolve('{{trigger.data.email.length}}')).toBe(15);
  });

  it('resolves recursively in config objects and returns untouched values as they are', () => {
    const config = {
      url: 'https://x.test/{{trigger.data.n}}',
      headers: { a: '{{trigger.data.email}}' },
      list: ['{{trigger.data.n}}', 1],
      plain: { k: 'v' },
    };
    const resolved = resolve(config) as typeof config;
    expect(resolved).toEqual({
      url: 'https://x.test/3',
      headers: { a: 'ada@example.com' },
      list: [3, 1],
      plain: { k: 'v' },
    });
    expect(resolved.plain).toBe(config.plain);
    const constant = { a: 1, b: ['x'] };
    expect(compileValue(constant)(scope)).toBe(constant);
  });

  it('stringify', () => {
    expect(stringify('s')).toBe('s');
    expect(stringify(1.5)).toBe('1.5');
    expect(stringify(false)).toBe('false');
    expect(stringify(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });
});
