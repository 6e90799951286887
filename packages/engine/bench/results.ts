/** The machine a benchmark ran on, and the `bench/RESULTS.md` section writer. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  nproc: number;
  cpu: string;
  node: string;
  date: string;
  /** 1, 5 and 15 minute load averages. */
  load: [number, number, number];
}

export function machine(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) cpu = match[1].trim();
  } catch {
    // Not Linux: os.cpus() is the best we have.
  }
  const [a = 0, b = 0, c = 0] = os.loadavg();
  return {
    nproc: os.availableParallelism(),
    cpu,
    node: process.version,
    date: new Date().toISOString(),
    load: [a, b, c].map((x) => Math.round(x * 100) / 100) as Machine['load'],
  };
}

export const formatLoad = (l: Machine['load']) => l.join(' / ');

/**
 * Replaces the `## <name>` section of RESULTS.md (between its markers) or appends it, so each
 * benchmark owns its section and others' results are left alone.
 */
export function writeSection(file: string, name: string, body: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const section = `${start}\n## ${name}\n\n${body.trim()}\n${end}`;
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

/** A Markdown table padded the way Biome formats one, so `biome check` passes on RESULTS.md. */
export function markdownTable(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  const rule = widths.map((w, i) => (rightAligned[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}
