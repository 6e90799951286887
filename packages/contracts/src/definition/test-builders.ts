import { type DefinitionProblemCode, validateDefinition } from './validate';

/** Builders shared by the validator's test files (not exported from the package). */
export type Obj = Record<string, unknown>;
export const node = (id: string, type: string, subtype: string, config: Obj = {}) => ({
  id,
  type,
  subtype,
  label: id,
  config,
  position: { x: 0, y: 0 },
});
export const edge = (id: string, source: string, target: string, extra: Obj = {}) => ({
  id,
  source,
  target,
  ...extra,
});
export const start = node('start', 'trigger', 'manual');
export const chat = (id: string, prompt = 'Hello') => node(id, 'ai', 'chat', { user_prompt: prompt });
export const respond = (id: string, body: unknown = 'ok') => node(id, 'output', 'respond', { body });
export const ifElse = (id: string) =>
  node(id, 'logic', 'if_else', { condition: { left: '{{trigger.data.n}}', operator: 'gt', right: 1 } });
export const loop = (id: string) => node(id, 'logic', 'loop', { items: '{{trigger.data.items}}' });

export function problems(def: unknown) {
  const res = validateDefinition(def);
  return res.problems;
}
export function codes(def: unknown): DefinitionProblemCode[] {
  return problems(def).map((p) => p.code);
}
