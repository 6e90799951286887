import type { SimpleJsonSchema } from '@agentflow/contracts';

/**
 * How the offline echo model "answers" structured requests: deterministic values derived from the
 * input text, so classify/extract/tool flows can be tried and tested without a model.
 */
export function synthesize(schema: SimpleJsonSchema, text: string, key?: string): unknown {
  if (schema.enum?.length) {
    const mentioned = pickMentioned(schema.enum.map(String), text);
    return mentioned === undefined ? schema.enum[0] : schema.enum[schema.enum.map(String).indexOf(mentioned)];
  }
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, sub] of Object.entries(schema.properties ?? {})) out[k] = synthesize(sub, text, k);
      return out;
    }
    case 'array':
      return [];
    case 'number':
    case 'integer': {
      const raw = (key && labelled(text, key)) ?? /-?\d+(\.\d+)?/.exec(text)?.[0];
      const n = raw === undefined ? 0 : Number.parseFloat(raw);
      if (Number.isNaN(n)) return 0;
      return schema.type === 'integer' ? Math.trunc(n) : n;
    }
    case 'boolean':
      return /^(true|yes)$/i.test((key && labelled(text, key)) ?? '');
    case 'null':
      return null;
    default:
      return synthesizeString(text, key);
  }
}

function synthesizeString(text: string, key?: string): string {
  if (key && /e-?mail/i.test(key)) return /[\w.+-]+@[\w-]+(\.[\w-]+)+/.exec(text)?.[0] ?? '';
  if (key && /url|link|website/i.test(key)) return /https?:\/\/\S+/.exec(text)?.[0] ?? '';
  const value = key ? labelled(text, key) : undefined;
  return value ?? text.trim().slice(0, 500);
}

/** `name: Ada` / `name = Ada` in the text, for a property `name`. */
function labelled(text: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|[^\\w])${escapeRegExp(key)}\\s*[:=]\\s*([^\\n,;]+)`, 'i').exec(text);
  return m?.[1]?.trim();
}

/** The first label (in the given order) that the text mentions as a word, case-insensitively. */
export function pickMentioned(labels: readonly string[], text: string): string | undefined {
  return labels.find((label) =>
    new RegExp(`(^|[^\\p{L}\\p{N}_])${escapeRegExp(label)}($|[^\\p{L}\\p{N}_])`, 'iu').test(text),
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
