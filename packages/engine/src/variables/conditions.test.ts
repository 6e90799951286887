import { describe, expect, it } from 'vitest';
import { evaluateCondition } from './conditions';

describe('evaluateCondition', () => {
  it.each([
    ['eq', 5, '5', true],
    ['eq', 'a', 'a', true],
    ['eq', true, 'true', true],
    ['eq', { a: 1 }, { a: 1 }, true],
    ['eq', 'a', 'b', false],
    ['neq', 1, 2, true],
    ['gt', 10, '9', true],
    ['gt', '10', 9, true],
    ['gte', 3, 3, true],
    ['lt', '2026-01-01', '2026-02-01', true],
    ['lte', 'x', 1, false],
    ['contains', 'hello world', 'world', true],
    ['contains', ['a', 'b'], 'b', true],
    ['contains', { k: 1 }, 'k', true],
    ['contains', null, 'x', false],
    ['not_contains', 'abc', 'z', true],
    ['starts_with', 'urgent: fix', 'urgent', true],
    ['ends_with', 'file.pdf', '.pdf', true],
    ['in', 'b', ['a', 'b'], true],
    ['in', 2, ['1', '2'], true],
    ['not_in', 'c', ['a', 'b'], true],
    ['exists', 0, undefined, true],
    ['exists', undefined, undefined, false],
    ['not_exists', null, undefined, true],
    ['is_empty', [], undefined, true],
    ['is_empty', {}, undefined, true],
    ['is_empty', '', undefined, true],
    ['is_not_empty', 'x', undefined, true],
    ['is_true', 'true', undefined, true],
    ['is_false', false, undefined, true],
  ] as const)('%s(%j, %j) = %s', (op, left, right, expected) => {
    expect(evaluateCondition(op, left, right)).toBe(expected);
  });
});
