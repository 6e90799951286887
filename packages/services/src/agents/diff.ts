import type { VersionDiff } from '@agentflow/contracts';

type Item = Record<string, unknown>;
type Section = VersionDiff['nodes'];

/**
 * Nodes and edges added, removed and changed between two definitions, matched by id. A changed item
 * names the top-level fields that differ (`config`, `label`, `position`, `source_handle` ...), compared
 * structurally (key order does not count).
 */
export function diffDefinitions(from: unknown, to: unknown): { nodes: Section; edges: Section } {
  return {
    nodes: diffItems(itemsOf(from, 'nodes'), itemsOf(to, 'nodes')),
    edges: diffItems(itemsOf(from, 'edges'), itemsOf(to, 'edges')),
  };
}

function itemsOf(definition: unknown, key: 'nodes' | 'edges'): Item[] {
  if (!definition || typeof definition !== 'object') return [];
  const list = (definition as Record<string, unknown>)[key];
  return Array.isArray(list) ? list.filter((x): x is Item => !!x && typeof x === 'object') : [];
}

function diffItems(before: Item[], after: Item[]): Section {
  const beforeById = new Map(before.map((item) => [String(item.id), item]));
  const afterById = new Map(after.map((item) => [String(item.id), item]));
  const section: Section = { added: [], removed: [], changed: [] };
  for (const [id, item] of afterById) {
    const old = beforeById.get(id);
    if (!old) {
      section.added.push(item);
      continue;
    }
    const keys = new Set([...Object.keys(old), ...Object.keys(item)]);
    // null and a missing field are the same (React Flow sends `source_handle: null`).
    const fields = [...keys]
      .filter((k) => canonical(old[k] ?? undefined) !== canonical(item[k] ?? undefined))
      .sort();
    if (fields.length) section.changed.push({ id, fields, before: old, after: item });
  }
  for (const [id, item] of beforeById) if (!afterById.has(id)) section.removed.push(item);
  return section;
}

/** JSON with sorted keys, so `{a,b}` equals `{b,a}`; undefined and a missing key compare equal. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as Item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    ) ?? 'undefined'
  );
}
