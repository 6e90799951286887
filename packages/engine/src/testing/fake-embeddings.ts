/**
 * Deterministic embeddings for tests: the sum of one pseudo-random unit direction per word (seeded by
 * the word's hash), normalized. Same text -> same vector across runs and machines; texts sharing words
 * point in similar directions, so retrieval tests rank a relevant chunk above an unrelated one.
 */
export function fakeEmbedding(text: string, dimensions = 1536): number[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [text];
  const v = new Array<number>(dimensions).fill(0);
  for (const word of words) {
    const next = mulberry32(fnv1a(word));
    for (let i = 0; i < dimensions; i++) v[i] = (v[i] ?? 0) + (next() * 2 - 1);
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

/** Cosine similarity of two vectors of equal length (helper for retrieval assertions). */
export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / (Math.sqrt(na * nb) || 1);
}

/** float32 little-endian, base64: OpenAI's `encoding_format: "base64"` wire format. */
export function toBase64Float32(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A tiny seeded PRNG (public-domain mulberry32): uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
