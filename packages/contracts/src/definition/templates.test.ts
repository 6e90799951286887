import { describe, expect, it } from 'vitest';
import {
  collectTemplateStrings,
  formatPath,
  nodeIdFromRoot,
  parseTemplate,
  TemplateSyntaxError,
} from './templates';

describe('parseTemplate', () => {
  it('keeps text and expressions in order', () => {
    const t = parseTemplate('Hi {{trigger.data.name}}, you are #{{ loop.index }}');
    expect(t.whole).toBeNull();
    expect(t.parts).toEqual([
      'Hi ',
      { raw: 'trigger.data.name', root: 'trigger', path: ['data', 'name'] },
      ', you are #',
      { raw: 'loop.index', root: 'loop', path: ['index'] },
    ]);
  });

  it('marks a whole-string single expression', () => {
    const t = parseTemplate('{{node_fetch.output.items[0].name}}');
    expect(t.whole).toEqual({
      raw: 'node_fetch.output.items[0].name',
      root: 'node_fetch',
      path: ['output', 'items', 0, 'name'],
    });
  });

  it('parses bracketed string keys and defaults of every literal kind', () => {
    expect(parseTemplate('{{node_x.output["a b"] | default: "x}}y"}}').whole).toMatchObject({
      path: ['output', 'a b'],
      fallback: { value: 'x}}y' },
    });
    expect(parseTemplate("{{a.b|default:'q'}}").whole?.fallback).toEqual({ value: 'q' });
    expect(parseTemplate('{{a.b | default: 3.5}}').whole?.fallback).toEqual({ value: 3.5 });
    expect(parseTemplate('{{a.b | default: null}}').whole?.fallback).toEqual({ value: null });
    expect(parseTemplate('{{a.b | default: false}}').whole?.fallback).toEqual({ value: false });
  });

  it.each([
    ['{{trigger.data', 'Unclosed'],
    ['{{}}', 'Empty'],
    ['{{a..b}}', 'expected a name'],
    ['{{a[x]}}', 'expected an index'],
    ['{{a | upper}}', 'Unknown filter'],
    ['{{a | default: nope}}', 'expected a default value'],
    ['{{a b}}', 'Unexpected'],
  ])('rejects %s', (source, message) => {
    expect(() => parseTemplate(source)).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate(source)).toThrow(message);
  });
});

describe('helpers', () => {
  it('maps node roots to ids', () => {
    expect(nodeIdFromRoot('node_classify')).toBe('classify');
    expect(nodeIdFromRoot('node_')).toBeNull();
    expect(nodeIdFromRoot('trigger')).toBeNull();
  });

  it('formats paths for messages', () => {
    expect(formatPath('node_x', ['output', 'items', 0, 'a b'])).toBe('node_x.output.items[0]["a b"]');
  });

  it('collects template strings with their paths', () => {
    expect(collectTemplateStrings({ a: 'plain', b: ['{{x.y}}', { c: 'hi {{z}}' }], n: 3 })).toEqual([
      { path: ['b', 0], source: '{{x.y}}' },
      { path: ['b', 1, 'c'], source: 'hi {{z}}' },
    ]);
  });
});
