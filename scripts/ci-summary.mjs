#!/usr/bin/env node
// Sums vitest's per-package "Tests  N passed | M skipped (T)" lines from CI logs into one closing
// line, "N passed, N failed, N skipped", so a run that executed no test is visible at a glance.
import { readFileSync } from 'node:fs';

const totals = { passed: 0, failed: 0, skipped: 0 };
let runs = 0;
for (const file of process.argv.slice(2)) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour codes
  const text = readFileSync(file, 'utf8').replace(/\u001b\[[0-9;]*m/g, '');
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*(?:\S+:\s+)?Tests\s+(.+)\(\d+\)\s*$/);
    if (!m) continue;
    runs++;
    for (const part of m[1].split('|')) {
      const [, n, kind] = part.trim().match(/^(\d+) (passed|failed|skipped|todo)/) ?? [];
      if (kind && kind in totals) totals[kind] += Number(n);
    }
  }
}
console.log(`ci: ${runs} vitest runs`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (runs === 0 || totals.passed === 0) process.exitCode = 1;
