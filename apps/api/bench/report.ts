/**
 * Statistics, machine facts and the `bench/RESULTS.md` section writer of the executions bench (the
 * same conventions as `packages/engine/bench`: a section between `<!-- bench:<name>:start/end -->`
 * markers, replaced on `--write`, everything else in the file left alone).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

/** Nearest-rank percentile: always a real sample, never an interpolation. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);
export const mean = (samples: readonly number[]) =>
  samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : Number.NaN;

let anchorWall = Date.now();
let anchorPerf = performance.now();

/**
 * Anchors `nowMs` on the wall clock at a millisecond edge (spins < 1 ms), so bench times compare
 * with Postgres' `now()` to ~0.1 ms. Called at the start of each phase (the monotonic clock and the
 * wall clock may drift apart over minutes).
 */
export function syncClock(): void {
  const start = Date.now();
  let wall = start;
  while (wall === start) wall = Date.now();
  anchorWall = wall;
  anchorPerf = performance.now();
}
syncClock();

/** Wall-clock milliseconds since the epoch with sub-millisecond precision (see `syncClock`). */
export const nowMs = () => anchorWall + (performance.now() - anchorPerf);

export const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

export interface Machine {
  nproc: number;
  cpu: string;
  ramGiB: number;
  node: string;
  date: string;
  load: [number, number, number];
}

export function machine(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) cpu = match[1].trim();
  } catch {
    // Not Linux: os.cpus() it is.
  }
  return {
    nproc: os.availableParallelism(),
    cpu,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    date: new Date().toISOString(),
    load: loadAverage(),
  };
}

export function loadAverage(): [number, number, number] {
  const [a = 0, b = 0, c = 0] = os.loadavg();
  return [a, b, c].map((x) => Math.round(x * 100) / 100) as [number, number, number];
}

export const formatLoad = (l: readonly number[]) => l.join(' / ');

/** A Markdown table padded the way Biome formats one, so `biome check` passes on RESULTS.md. */
export function markdownTable(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  const rule = widths.map((w, i) => (rightAligned[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

/**
 * Replaces the section `name` of RESULTS.md (between its markers) with `## title` + `body`, or
 * appends it before any text that follows the last section, leaving other sections alone.
 */
export function writeSection(file: string, name: string, title: string, body: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const section = `${start}\n## ${title}\n\n${body.trim()}\n${end}`;
  const current = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmark results\n\nWritten by the `pnpm bench:*` scripts with `--write`; see bench/README.md.\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? `${current.slice(0, from)}${section}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
