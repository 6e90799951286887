/**
 * CPU time spent by each part of the system during a phase, from /proc/<pid>/stat (user + system,
 * all threads): the API and worker processes, the Postgres backends serving the bench database, the
 * Redis server and this bench process. Unlike wall time, it does not depend on how much of the two
 * cores other engineers' work left us, so "CPU ms per execution" compares across runs.
 */
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // CLK_TCK = 100 on Linux

function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), "(...)": state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined; // exited, or not Linux
  }
}

export interface CpuParts {
  /** Named processes (api, worker, redis ...). */
  named: Record<string, number>;
  /** Postgres backends: pid -> CPU ms. */
  backends: Map<number, number>;
  bench: number;
}

export type PidSource = () => Promise<{ named: Record<string, number>; backends: number[] }>;

export async function cpuSnapshot(source: PidSource): Promise<CpuParts> {
  const pids = await source();
  const named: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids.named)) named[name] = cpuMsOf(pid) ?? Number.NaN;
  const backends = new Map<number, number>();
  for (const pid of pids.backends) {
    const ms = cpuMsOf(pid);
    if (ms !== undefined) backends.set(pid, ms);
  }
  const usage = process.cpuUsage();
  return { named, backends, bench: (usage.user + usage.system) / 1000 };
}

/** CPU ms per part between two snapshots; backends that came and went are counted from 0. */
export function cpuDelta(before: CpuParts, after: CpuParts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, ms] of Object.entries(after.named)) out[name] = ms - (before.named[name] ?? 0);
  let postgres = 0;
  for (const [pid, ms] of after.backends) postgres += ms - (before.backends.get(pid) ?? 0);
  out.postgres = postgres;
  out.bench = after.bench - before.bench;
  return out;
}
