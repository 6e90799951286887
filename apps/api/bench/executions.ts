/**
 * `pnpm bench:executions [--write] [options]`: queued executions on real Postgres and Redis (issue 5
 * item 9). A script, not a test: the figures depend on the machine and its load.
 *
 * Starts its own world: a fresh `af_bench_*` database (migrated, dropped at the end), a unique queue
 * prefix, the API (`apps/api/src/main.ts`) and ONE worker (`apps/worker/src/main.ts`) as child
 * processes from source, a user signed up through the API. Then:
 *   (a) durable per-step overhead: a 20-node no-op chain run sequentially by the worker, per step =
 *       (completed_at - started_at) / 20, next to the same graph in memory (engine + MemorySaver);
 *   (b) signed webhook -> completed: 3-node agent, closed loop, throughput and latency;
 *   (c) worker event -> WebSocket client latency on `/executions/:id/stream`.
 * Options: --only a,b,c  --runs 50  --warmup 10  --webhooks 2000  --webhook-warmup 200
 *          --in-flight 90  --concurrency 8 (the worker's WORKER_CONCURRENCY)  --stream-runs 100
 *          --stream-in-flight 10  --log-level info  --write (replace the section in bench/RESULTS.md)
 *          --cpu-prof [--cpu-prof-dir DIR] (profiles of the API and worker, written when they stop)
 *          --db-setting name=value (repeatable; on the bench database only, e.g. synchronous_commit=off)
 * Needs DATABASE_URL (any database on the server; default postgres://postgres@127.0.0.1:5432/postgres)
 * and REDIS_URL (default redis://127.0.0.1:6379); exits 1 when either is unreachable.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileDefinition } from '@agentflow/engine';
import { MemorySaver } from '@langchain/langgraph';
import postgres from 'postgres';
import WebSocket from 'ws';
import { Api, closeClient, request, signWebhook } from './client';
import { cpuDelta, cpuSnapshot, type PidSource } from './cpu';
import { delayedChain, noopChain, webhookAgent } from './graphs';
import {
  apiDir,
  checkServices,
  cleanup,
  createBenchDatabase,
  databaseUrlFor,
  freePort,
  onCleanup,
  randomMasterKeys,
  registerRedisCleanup,
  type Services,
  startChild,
  workerDir,
} from './harness';
import {
  fmt,
  formatLoad,
  loadAverage,
  type Machine,
  machine,
  markdownTable,
  mean,
  median,
  nowMs,
  percentile,
  syncClock,
  writeSection,
} from './report';
import { ExecutionWatcher } from './watcher';

const argv = process.argv.slice(2);
const num = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} needs a whole number`);
  return value;
};
const str = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? String(argv[i + 1]) : fallback;
};

const opts = {
  write: argv.includes('--write'),
  only: new Set(str('only', 'a,b,c').split(',')),
  runs: num('runs', 50),
  warmup: num('warmup', 10),
  nodes: 20,
  webhooks: num('webhooks', 2000),
  webhookWarmup: num('webhook-warmup', 200),
  inFlight: num('in-flight', 90),
  concurrency: num('concurrency', 8),
  streamRuns: num('stream-runs', 100),
  streamInFlight: num('stream-in-flight', 10),
  streamDelayMs: 300,
  streamSets: 18,
  logLevel: str('log-level', 'info'),
  /** Directory for `--cpu-prof` profiles of the API and the worker (written when they exit). */
  cpuProf: argv.includes('--cpu-prof') ? str('cpu-prof-dir', join(tmpdir(), 'af-bench-profiles')) : undefined,
  /**
   * What-ifs and diagnostics on the bench database only (`--db-setting synchronous_commit=off`,
   * `--db-setting log_min_duration_statement=0`; repeatable), never the server's configuration.
   */
  dbSettings: argv
    .flatMap((a, i) => (a === '--db-setting' ? [String(argv[i + 1])] : []))
    .map((kv) => {
      const match = /^([a-z_.]+)=([A-Za-z0-9_.-]+)$/.exec(kv);
      if (!match) throw new Error(`--db-setting needs name=value, got "${kv}"`);
      return [match[1], match[2]] as [string, string];
    }),
};
const TARGETS = { perStepMs: 2, throughput: 440, wsP99Ms: 10 };

type Sql = ReturnType<typeof postgres>;

interface Ctx {
  api: Api;
  baseUrl: string;
  /** Superuser connection to the bench database (RLS does not apply): timestamps, plan, events. */
  admin: Sql;
  /** Superuser connection to the server's default database: pg_stat_database without counting itself. */
  stats: Sql;
  dbName: string;
  watcher: ExecutionWatcher;
  /** The pids whose CPU time is counted (API, worker, Redis, the bench database's backends). */
  cpu: PidSource;
}

/** CPU ms per execution by part, over `executions` runs. */
type CpuPerExecution = Record<string, number>;
const perExecution = (delta: Record<string, number>, executions: number): CpuPerExecution =>
  Object.fromEntries(Object.entries(delta).map(([k, v]) => [k, v / executions]));

interface Times {
  id: string;
  created: number;
  started: number;
  completed: number;
  status: string;
}

/** created_at / started_at / completed_at of executions, in epoch ms with microseconds. */
async function executionTimes(sql: Sql, ids: string[]): Promise<Map<string, Times>> {
  const rows = await sql<
    { id: string; created: string; started: string; completed: string; status: string }[]
  >`
    select id, status,
      extract(epoch from created_at) * 1000 as created,
      extract(epoch from started_at) * 1000 as started,
      extract(epoch from completed_at) * 1000 as completed
    from executions where id = any(${ids}::uuid[])`;
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        status: r.status,
        created: Number(r.created),
        started: Number(r.started),
        completed: Number(r.completed),
      },
    ]),
  );
}

interface StoredEvent {
  executionId: string;
  seq: number;
  type: string;
  node: string | null;
  created: number;
}

async function storedEvents(sql: Sql, ids: string[]): Promise<StoredEvent[]> {
  const rows = await sql<
    { execution_id: string; seq: number; type: string; node: string | null; created: string }[]
  >`
    select execution_id, seq, type, payload->>'node_id' as node,
      extract(epoch from created_at) * 1000 as created
    from execution_events where execution_id = any(${ids}::uuid[])
    order by execution_id, seq`;
  return rows.map((r) => ({
    executionId: r.execution_id,
    seq: r.seq,
    type: r.type,
    node: r.node,
    created: Number(r.created),
  }));
}

/**
 * Transactions committed (or rolled back) in the bench database so far, read from another database
 * so the reads do not count. Backends report their counters lazily: at most once a second, and a
 * flush that meets a busy stats entry is retried up to 10 s later (PostgreSQL 15), so this first
 * waits 11 s of quiet. `at` is when it was read (ms, monotonic).
 */
async function settledTransactions(ctx: Ctx): Promise<{ count: number; at: number }> {
  await new Promise((r) => setTimeout(r, 11_000));
  const [row] = await ctx.stats<{ n: string }[]>`
    select xact_commit + xact_rollback as n from pg_stat_database where datname = ${ctx.dbName}`;
  return { count: Number(row?.n ?? 0), at: performance.now() };
}

/** Runs `fn(i)` for i in [0, total) with at most `inFlight` at once (a closed loop). */
async function closedLoop<T>(total: number, inFlight: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(total);
  let next = 0;
  const lanes = Array.from({ length: Math.min(inFlight, total) }, async () => {
    while (next < total) {
      const i = next++;
      out[i] = await fn(i);
    }
  });
  await Promise.all(lanes);
  return out;
}

const dist = (xs: number[]) => ({ p50: median(xs), p95: percentile(xs, 95), p99: percentile(xs, 99) });

// ---------------------------------------------------------------------------------------------- (a)

interface PhaseA {
  runs: number;
  perStep: ReturnType<typeof dist> & { min: number; mean: number };
  run20: ReturnType<typeof dist>;
  run3: ReturnType<typeof dist>;
  marginalPerStep: number;
  roundTrip: ReturnType<typeof dist>;
  queueWait: number;
  memory: { perStep: number; perStepP95: number; compileAndRunPerStep: number; compileMs: number };
  breakdown: Array<[string, number]>;
  accounting: {
    xact20: number;
    xact3: number;
    events20: number;
    events3: number;
    perStepXact: number;
    backgroundPerSecond: number;
    cpu20: CpuPerExecution;
    cpu3: CpuPerExecution;
  };
  load: [number, number, number];
}

async function phaseA(ctx: Ctx): Promise<PhaseA> {
  const { api, watcher, admin } = ctx;
  await api.login();
  const id20 = await api.activeAgent(`bench ${opts.nodes}-node no-op chain`, noopChain(opts.nodes), {
    trigger_type: 'manual',
  });
  const id3 = await api.activeAgent('bench 3-node no-op chain', noopChain(3), { trigger_type: 'manual' });

  const runOnce = async (agentId: string) => {
    const sent = nowMs();
    const res = await api.json('POST', `/api/v1/agents/${agentId}/execute`, 202, { trigger_data: {} });
    const id = res.execution_id as string;
    const ended = await watcher.waitFor(id);
    if (ended.status !== 'completed') throw new Error(`execution ${id} ended ${ended.status}`);
    return { id, sent, ended: ended.at };
  };

  console.log(`(a) warm-up: ${opts.warmup} runs of each chain`);
  for (let i = 0; i < opts.warmup; i++) {
    await runOnce(id20);
    await runOnce(id3);
  }
  syncClock();
  console.log(
    `(a) ${opts.runs} sequential runs of the ${opts.nodes}-node chain (alternating with a 3-node one)`,
  );
  const runs20: Array<{ id: string; sent: number; ended: number }> = [];
  const runs3: Array<{ id: string; sent: number; ended: number }> = [];
  for (let i = 0; i < opts.runs; i++) {
    runs20.push(await runOnce(id20));
    runs3.push(await runOnce(id3));
  }
  const load = loadAverage();
  const times20 = await executionTimes(
    admin,
    runs20.map((r) => r.id),
  );
  const times3 = await executionTimes(
    admin,
    runs3.map((r) => r.id),
  );
  const dur = (t: Map<string, Times>) => [...t.values()].map((r) => r.completed - r.started);
  const d20 = dur(times20);
  const d3 = dur(times3);
  const perStep = d20.map((d) => d / opts.nodes);
  const roundTrip = runs20.map((r) => r.ended - r.sent);
  const queueWait = median([...times20.values()].map((t) => t.started - t.created));

  // Where a run's time goes, from the start times of the transactions that stored each event.
  const events = await storedEvents(
    admin,
    runs20.map((r) => r.id),
  );
  const byRun = new Map<string, StoredEvent[]>();
  for (const e of events) byRun.set(e.executionId, [...(byRun.get(e.executionId) ?? []), e]);
  const parts: Record<string, number[]> = { claim: [], announce: [], start: [], complete: [], finish: [] };
  for (const [id, list] of byRun) {
    const t = times20.get(id);
    const started = list.find((e) => e.type === 'execution.started');
    const done = list.find((e) => e.type === 'execution.completed');
    const starts = list.filter((e) => e.type === 'step.started');
    const completes = list.filter((e) => e.type === 'step.completed');
    if (!t || !started || !done || starts.length !== opts.nodes || completes.length !== opts.nodes) continue;
    parts.claim?.push(started.created - t.started);
    parts.announce?.push((starts[0] as StoredEvent).created - started.created);
    let s = 0;
    let c = 0;
    for (let i = 0; i < opts.nodes; i++) {
      s += (completes[i] as StoredEvent).created - (starts[i] as StoredEvent).created;
      if (i + 1 < opts.nodes)
        c += (starts[i + 1] as StoredEvent).created - (completes[i] as StoredEvent).created;
    }
    parts.start?.push(s / opts.nodes);
    parts.complete?.push(c / (opts.nodes - 1));
    parts.finish?.push(done.created - (completes[opts.nodes - 1] as StoredEvent).created);
  }
  const breakdown: Array<[string, number]> = [
    ['claim tx start -> announce tx start (claim, load definition)', median(parts.claim ?? [])],
    [
      'announce tx start -> first step.started tx start (compile, inspect thread)',
      median(parts.announce ?? []),
    ],
    ['per step: step.started tx start -> step.completed tx start', median(parts.start ?? [])],
    ['per step: step.completed tx start -> next step.started tx start', median(parts.complete ?? [])],
    ['last step.completed tx start -> execution.completed tx start', median(parts.finish ?? [])],
  ];

  // The same graph in memory: the engine alone with MemorySaver, in this process (API and worker idle).
  console.log('(a) the same graph in memory (engine + MemorySaver)');
  const def = noopChain(opts.nodes);
  const saverAgent = compileDefinition(def, { checkpointer: new MemorySaver() });
  let thread = 0;
  const runMem = () => saverAgent.run({ type: 'manual', data: {} }, { threadId: `m${thread++}` });
  for (let i = 0; i < 30; i++) await runMem();
  const mem: number[] = [];
  const memCompile: number[] = [];
  const compileOnly: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    let t0 = performance.now();
    await runMem();
    mem.push((performance.now() - t0) / opts.nodes);
    t0 = performance.now();
    const fresh = compileDefinition(def, { checkpointer: new MemorySaver() });
    compileOnly.push(performance.now() - t0);
    await fresh.run({ type: 'manual', data: {} }, { threadId: `c${i}` });
    memCompile.push((performance.now() - t0) / opts.nodes);
  }

  // Transactions per execution (API + worker), 20-node vs 3-node: the difference / 17 is per step.
  // The worker's own background work (lease reaper, schedule reconcile) is measured over an idle
  // window first and subtracted in proportion to each block's length.
  console.log('(a) counting transactions per execution (pg_stat_database; about a minute of waiting)');
  const n = 20;
  const idle0 = await settledTransactions(ctx);
  const idle1 = await settledTransactions(ctx);
  const background = (idle1.count - idle0.count) / (idle1.at - idle0.at);
  const perRun = (from: { count: number; at: number }, to: { count: number; at: number }) =>
    (to.count - from.count - background * (to.at - from.at)) / n;
  const acc20: string[] = [];
  let cpu = await cpuSnapshot(ctx.cpu);
  for (let i = 0; i < n; i++) acc20.push((await runOnce(id20)).id);
  const cpu20 = perExecution(cpuDelta(cpu, await cpuSnapshot(ctx.cpu)), n);
  const x1 = await settledTransactions(ctx);
  const acc3: string[] = [];
  cpu = await cpuSnapshot(ctx.cpu);
  for (let i = 0; i < n; i++) acc3.push((await runOnce(id3)).id);
  const cpu3 = perExecution(cpuDelta(cpu, await cpuSnapshot(ctx.cpu)), n);
  const x2 = await settledTransactions(ctx);
  const xact20 = perRun(idle1, x1);
  const xact3 = perRun(x1, x2);
  const backgroundPerSecond = background * 1000;
  const eventCount = async (ids: string[]) => (await storedEvents(admin, ids)).length / ids.length;

  return {
    runs: opts.runs,
    perStep: { ...dist(perStep), min: Math.min(...perStep), mean: mean(perStep) },
    run20: dist(d20),
    run3: dist(d3),
    marginalPerStep: (median(d20) - median(d3)) / (opts.nodes - 3),
    roundTrip: dist(roundTrip),
    queueWait,
    memory: {
      perStep: median(mem),
      perStepP95: percentile(mem, 95),
      compileAndRunPerStep: median(memCompile),
      compileMs: median(compileOnly),
    },
    breakdown,
    accounting: {
      xact20,
      xact3,
      events20: await eventCount(acc20),
      events3: await eventCount(acc3),
      perStepXact: (xact20 - xact3) / (opts.nodes - 3),
      backgroundPerSecond,
      cpu20,
      cpu3,
    },
    load,
  };
}

// ---------------------------------------------------------------------------------------------- (b)

interface PhaseB {
  total: number;
  completed: number;
  errors: Record<string, number>;
  throughput: number;
  seconds: number;
  inFlight: number;
  toCompletedAt: ReturnType<typeof dist>;
  toEvent: ReturnType<typeof dist>;
  breakdown: Array<[string, number, number]>;
  cpu: CpuPerExecution;
  load: [number, number, number];
}

async function phaseB(ctx: Ctx): Promise<PhaseB> {
  const { api, watcher, admin } = ctx;
  await api.login();
  const agentId = await api.activeAgent('bench webhook 3-node', webhookAgent(), {
    trigger_type: 'webhook',
    settings: { concurrency_limit: 100, timeout_seconds: 60 },
  });
  const hook = await api.webhook(agentId);
  const errors: Record<string, number> = {};

  const deliver = async (n: number) => {
    const body = JSON.stringify({ n });
    const headers = signWebhook(hook.secret, body);
    const sent = nowMs();
    const res = await request(ctx.baseUrl, 'POST', hook.path, { body, headers });
    const accepted = nowMs();
    if (res.status !== 202) {
      const code = (res.body as { error?: { code?: string } })?.error?.code ?? '';
      const key = `${res.status} ${code}`.trim();
      errors[key] = (errors[key] ?? 0) + 1;
      return undefined;
    }
    const id = (res.body as { execution_id: string }).execution_id;
    const ended = await watcher.waitFor(id);
    if (ended.status !== 'completed')
      errors[`ended ${ended.status}`] = (errors[`ended ${ended.status}`] ?? 0) + 1;
    return { id, sent, accepted, ended: ended.at };
  };

  console.log(`(b) warm-up: ${opts.webhookWarmup} webhook deliveries, ${opts.inFlight} in flight`);
  await closedLoop(opts.webhookWarmup, opts.inFlight, deliver);
  for (const k of Object.keys(errors)) delete errors[k];
  watcher.reset();
  syncClock();
  console.log(`(b) ${opts.webhooks} signed webhook deliveries, closed loop, ${opts.inFlight} in flight`);
  const cpuBefore = await cpuSnapshot(ctx.cpu);
  const start = nowMs();
  const results = (await closedLoop(opts.webhooks, opts.inFlight, deliver)).filter(
    (r): r is NonNullable<typeof r> => r !== undefined,
  );
  const cpu = perExecution(cpuDelta(cpuBefore, await cpuSnapshot(ctx.cpu)), results.length);
  const end = Math.max(...results.map((r) => r.ended));
  const load = loadAverage();
  const times = await executionTimes(
    admin,
    results.map((r) => r.id),
  );
  const rows = results.map((r) => ({ ...r, t: times.get(r.id) as Times }));
  const completed = rows.filter((r) => r.t?.status === 'completed');
  const part = (f: (r: (typeof completed)[number]) => number): [number, number] => {
    const xs = completed.map(f);
    return [median(xs), percentile(xs, 99)];
  };
  const seconds = (end - start) / 1000;
  return {
    total: opts.webhooks,
    completed: completed.length,
    errors,
    throughput: completed.length / seconds,
    seconds,
    inFlight: opts.inFlight,
    toCompletedAt: dist(completed.map((r) => r.t.completed - r.sent)),
    toEvent: dist(completed.map((r) => r.ended - r.sent)),
    breakdown: [
      ['request sent -> 202 received', ...part((r) => r.accepted - r.sent)],
      ['request sent -> execution row inserted (created_at)', ...part((r) => r.t.created - r.sent)],
      [
        'created_at -> claimed by the worker (started_at): queue wait',
        ...part((r) => r.t.started - r.t.created),
      ],
      ['started_at -> completed_at: the run', ...part((r) => r.t.completed - r.t.started)],
      [
        'completed_at -> execution.completed seen on Redis by the bench',
        ...part((r) => r.ended - r.t.completed),
      ],
    ],
    cpu,
    load,
  };
}

// ---------------------------------------------------------------------------------------------- (c)

interface StreamFigures {
  runs: number;
  inFlight: number;
  events: number;
  excluded: number;
  perSecond: number;
  latency: ReturnType<typeof dist> & { max: number };
  toRedis: ReturnType<typeof dist>;
  redisToWs: ReturnType<typeof dist>;
  problems: string[];
}

interface PhaseC {
  /** `--stream-runs` runs, `--stream-in-flight` at once: the figure judged against the target. */
  loaded: StreamFigures;
  /** 20 runs one at a time: the same path with the worker otherwise idle. */
  light: StreamFigures;
  intact: boolean;
  load: [number, number, number];
}

async function phaseC(ctx: Ctx): Promise<PhaseC> {
  const { api, watcher, admin } = ctx;
  await api.login();
  const agentId = await api.activeAgent(
    'bench stream chain',
    delayedChain(opts.streamDelayMs, opts.streamSets),
    { trigger_type: 'manual', settings: { concurrency_limit: 100 } },
  );
  const wsBase = ctx.baseUrl.replace(/^http/, 'ws');

  const streamOne = async () => {
    const res = await api.json('POST', `/api/v1/agents/${agentId}/execute`, 202, { trigger_data: {} });
    const id = res.execution_id as string;
    const socket = new WebSocket(`${wsBase}/api/v1/executions/${id}/stream`, { headers: api.authHeader });
    const received: Array<{ seq: number; type: string; at: number }> = [];
    socket.on('message', (data) => {
      const at = nowMs();
      const e = JSON.parse(String(data)) as { seq: number; type: string };
      received.push({ seq: e.seq, type: e.type, at });
    });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const openedAt = await new Promise<number>((resolve, reject) => {
      socket.once('open', () => resolve(nowMs()));
      socket.once('error', reject);
    });
    const code = await closed;
    return { id, openedAt, received, code };
  };

  console.log(`(c) warm-up: 10 streamed runs`);
  await closedLoop(10, opts.streamInFlight, streamOne);

  const measure = async (total: number, inFlight: number): Promise<StreamFigures> => {
    watcher.reset();
    watcher.recordArrivals = true;
    syncClock();
    console.log(
      `(c) ${total} runs (${opts.streamSets + 2} nodes, ${opts.streamDelayMs} ms delay first), ${inFlight} at once, one WebSocket client each`,
    );
    const start = nowMs();
    const runs = await closedLoop(total, inFlight, streamOne);
    const seconds = (nowMs() - start) / 1000;
    watcher.recordArrivals = false;
    const stored = await storedEvents(
      admin,
      runs.map((r) => r.id),
    );
    const byKey = new Map(stored.map((e) => [`${e.executionId}:${e.seq}`, e]));
    const latency: number[] = [];
    const toRedis: number[] = [];
    const redisToWs: number[] = [];
    let excluded = 0;
    const problems: string[] = [];
    for (const run of runs) {
      const expected = stored.filter((e) => e.executionId === run.id).length;
      const seqs = run.received.map((e) => e.seq);
      if (run.code !== 1000) problems.push(`${run.id}: closed ${run.code}`);
      if (seqs.length !== expected || seqs.some((s, i) => s !== i + 1)) {
        problems.push(
          `${run.id}: got seqs ${seqs.length} of ${expected}, in order: ${seqs.every((s, i) => s === i + 1)}`,
        );
      }
      for (const e of run.received) {
        const key = `${run.id}:${e.seq}`;
        const row = byKey.get(key);
        if (!row) continue;
        // Stored before the socket was open: it came from the replay, not live.
        if (row.created <= run.openedAt) {
          excluded += 1;
          continue;
        }
        latency.push(e.at - row.created);
        const arrival = watcher.arrivals.get(key);
        if (arrival !== undefined) {
          toRedis.push(arrival - row.created);
          redisToWs.push(e.at - arrival);
        }
      }
    }
    return {
      runs: runs.length,
      inFlight,
      events: latency.length,
      excluded,
      perSecond: (latency.length + excluded) / seconds,
      latency: { ...dist(latency), max: Math.max(...latency) },
      toRedis: dist(toRedis),
      redisToWs: dist(redisToWs),
      problems,
    };
  };

  const loaded = await measure(opts.streamRuns, opts.streamInFlight);
  const light = await measure(20, 1);
  return { loaded, light, intact: loaded.problems.length + light.problems.length === 0, load: loadAverage() };
}

// ------------------------------------------------------------------------------------------- report

const CPU_PARTS = ['api', 'worker', 'postgres', 'redis', 'bench'];
const cpuTotal = (c: CpuPerExecution) =>
  CPU_PARTS.filter((k) => k !== 'redis' && k !== 'bench').reduce((sum, k) => sum + (c[k] ?? 0), 0);
const diffPerStep = (c20: CpuPerExecution, c3: CpuPerExecution): CpuPerExecution =>
  Object.fromEntries(CPU_PARTS.map((k) => [k, ((c20[k] ?? 0) - (c3[k] ?? 0)) / (opts.nodes - 3)]));

function cpuTable(columns: string[], values: CpuPerExecution[]): string {
  const label: Record<string, string> = {
    api: 'API process',
    worker: 'worker process',
    postgres: 'Postgres backends',
    redis: 'Redis server (shared)',
    bench: 'bench client',
  };
  const rows = CPU_PARTS.filter((k) => values.some((v) => v[k] !== undefined)).map((k) => [
    label[k] ?? k,
    ...values.map((v) => fmt(v[k] ?? Number.NaN, 2)),
  ]);
  rows.push(['API + worker + Postgres', ...values.map((v) => fmt(cpuTotal(v), 2))]);
  return markdownTable(['CPU ms', ...columns], rows, [false, ...columns.map(() => true)]);
}

function summarize(
  m: Machine,
  services: Services,
  a: PhaseA | undefined,
  b: PhaseB | undefined,
  c: PhaseC | undefined,
  loadEnd: [number, number, number],
): string {
  const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
  const rows: string[][] = [];
  if (a) {
    rows.push(
      [
        `(a) durable per-step, ${opts.nodes}-node no-op chain, 1 worker (median of ${a.runs})`,
        `<= ${TARGETS.perStepMs} ms`,
        `${fmt(a.perStep.p50, 3)} ms`,
        verdict(a.perStep.p50 <= TARGETS.perStepMs),
      ],
      ['(a) same graph in memory, engine + MemorySaver (median)', '', `${fmt(a.memory.perStep, 3)} ms`, ''],
      [
        '(a) durable overhead per step (difference of medians)',
        '',
        `${fmt(a.perStep.p50 - a.memory.perStep, 3)} ms`,
        '',
      ],
    );
  }
  if (b) {
    rows.push(
      [
        `(b) webhook -> completed throughput, 3-node agent, 1 worker (concurrency ${opts.concurrency})`,
        `>= ${TARGETS.throughput}/s`,
        `${fmt(b.throughput, 1)}/s`,
        verdict(b.throughput >= TARGETS.throughput),
      ],
      [
        '(b) latency request sent -> completed_at, p50 / p99',
        '',
        `${fmt(b.toCompletedAt.p50, 1)} / ${fmt(b.toCompletedAt.p99, 1)} ms`,
        '',
      ],
    );
  }
  if (c) {
    rows.push(
      [
        `(c) worker event -> WebSocket client, p99 (p50); ${c.loaded.inFlight} runs at once`,
        `p99 <= ${TARGETS.wsP99Ms} ms`,
        `${fmt(c.loaded.latency.p99, 2)} ms (${fmt(c.loaded.latency.p50, 2)} ms)`,
        verdict(c.loaded.latency.p99 <= TARGETS.wsP99Ms),
      ],
      [
        '(c) the same, one run at a time',
        '',
        `${fmt(c.light.latency.p99, 2)} ms (${fmt(c.light.latency.p50, 2)} ms)`,
        verdict(c.light.latency.p99 <= TARGETS.wsP99Ms),
      ],
    );
  }
  const out: string[] = [
    `\`pnpm bench:executions${opts.write ? ' --write' : ''}\` on ${m.date.slice(0, 16).replace('T', ' ')} UTC (${argv.filter((x) => x !== '--write').join(' ') || 'default options'}).`,
    '',
    `- Machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${m.ramGiB} GiB RAM, Node ${m.node}, PostgreSQL ${services.postgresVersion}, Redis ${services.redisVersion}; API, worker, Postgres, Redis and this client on the same 2 cores, shared with other engineers.`,
    `- Load average (1/5/15 min): ${formatLoad(m.load)} at start${a ? `, ${formatLoad(a.load)} after (a)` : ''}${b ? `, ${formatLoad(b.load)} after (b)` : ''}${c ? `, ${formatLoad(c.load)} after (c)` : ''}, ${formatLoad(loadEnd)} at the end.`,
    `- Queue mode: API (\`apps/api/src/main.ts\`, NODE_ENV=production, LOG_LEVEL=${opts.logLevel}, rate limits off) and one worker (\`apps/worker/src/main.ts\`, WORKER_CONCURRENCY=${opts.concurrency}, LOG_LEVEL=${opts.logLevel}) as child processes from source (tsx), BullMQ + Redis pub/sub on a unique prefix, a fresh migrated database; org plan \`enterprise\`${opts.dbSettings.length ? `; **what-if on the bench database: ${opts.dbSettings.map(([k, v]) => `\`${k} = ${v}\``).join(', ')}** (not the default)` : ''}.`,
    '',
    markdownTable(['figure', 'target', 'measured', ''], rows, [false, false, true, false]),
  ];
  if (a) {
    out.push(
      '',
      `### (a) per-step overhead: ${opts.nodes}-node no-op chain (trigger.manual + ${opts.nodes - 1} transform.set), ${a.runs} sequential runs after ${opts.warmup} warm-up runs`,
      '',
      markdownTable(
        ['measure', 'p50', 'p95', 'p99'],
        [
          [
            `durable per step = (completed_at - started_at) / ${opts.nodes}`,
            fmt(a.perStep.p50, 3),
            fmt(a.perStep.p95, 3),
            fmt(a.perStep.p99, 3),
          ],
          [
            `durable run, ${opts.nodes} nodes (completed_at - started_at)`,
            fmt(a.run20.p50),
            fmt(a.run20.p95),
            fmt(a.run20.p99),
          ],
          ['durable run, 3 nodes (same, alternating)', fmt(a.run3.p50), fmt(a.run3.p95), fmt(a.run3.p99)],
          [
            `POST /execute sent -> execution.completed seen (${opts.nodes} nodes)`,
            fmt(a.roundTrip.p50),
            fmt(a.roundTrip.p95),
            fmt(a.roundTrip.p99),
          ],
          [
            'in memory per step: engine + MemorySaver, run only',
            fmt(a.memory.perStep, 3),
            fmt(a.memory.perStepP95, 3),
            '',
          ],
        ],
        [false, true, true, true],
      ),
      '',
      `All in ms. Per step, min ${fmt(a.perStep.min, 3)}, mean ${fmt(a.perStep.mean, 3)}. Marginal cost of one more step ((median ${opts.nodes}-node run - median 3-node run) / ${opts.nodes - 3}): ${fmt(a.marginalPerStep, 3)} ms. In memory, compiling the definition each time as the worker does: ${fmt(a.memory.compileAndRunPerStep, 3)} ms per step (compile alone ${fmt(a.memory.compileMs, 2)} ms). Queue wait (created_at -> started_at) median ${fmt(a.queueWait, 2)} ms.`,
      '',
      `Transactions per execution in the bench database (API + worker, pg_stat_database over 20 runs each, less the ${fmt(a.accounting.backgroundPerSecond, 2)}/s of background transactions measured while idle): ${fmt(a.accounting.xact20, 1)} for ${opts.nodes} nodes, ${fmt(a.accounting.xact3, 1)} for 3 nodes, so ${fmt(a.accounting.perStepXact, 2)} per extra step; events stored (and published on Redis) per execution: ${fmt(a.accounting.events20, 0)} / ${fmt(a.accounting.events3, 0)}.`,
      '',
      'Where a durable run goes (medians over the runs; each time is the start of the transaction that stored an event, so a span includes that transaction, the engine work and the Redis publishes before the next one; events committed by the same group-commit transaction share its start, so their span is 0):',
      '',
      markdownTable(
        ['span', 'ms'],
        a.breakdown.map(([k, v]) => [k, fmt(v, 3)]),
        [false, true],
      ),
      '',
      `CPU time per execution, sequential runs (ms, /proc user + system; Postgres = the backends serving the bench database${services.redisPid ? '; Redis = the whole server, shared with other engineers' : ''}):`,
      '',
      cpuTable(
        [`${opts.nodes} nodes`, '3 nodes', 'per extra step'],
        [a.accounting.cpu20, a.accounting.cpu3, diffPerStep(a.accounting.cpu20, a.accounting.cpu3)],
      ),
    );
  }
  if (b) {
    const errors = Object.entries(b.errors);
    out.push(
      '',
      `### (b) signed webhook -> completed: ${b.total} deliveries of a 3-node agent (trigger.webhook -> transform.set -> output.respond), closed loop with ${b.inFlight} in flight, after ${opts.webhookWarmup} warm-up deliveries`,
      '',
      `Completed ${b.completed} of ${b.total} in ${fmt(b.seconds, 2)} s: **${fmt(b.throughput, 1)} executions/s** (first request sent to last execution.completed seen).${errors.length ? ` Errors: ${errors.map(([k, v]) => `${k} x${v}`).join(', ')}.` : ' No errors.'} In a closed loop the latency is mostly queueing: about in-flight / throughput = ${fmt((b.inFlight / b.throughput) * 1000, 0)} ms (Little's law); the run itself is the \`started_at -> completed_at\` row below.`,
      '',
      markdownTable(
        ['latency (ms)', 'p50', 'p95', 'p99'],
        [
          [
            'request sent -> completed_at (row)',
            fmt(b.toCompletedAt.p50, 1),
            fmt(b.toCompletedAt.p95, 1),
            fmt(b.toCompletedAt.p99, 1),
          ],
          [
            'request sent -> execution.completed event received',
            fmt(b.toEvent.p50, 1),
            fmt(b.toEvent.p95, 1),
            fmt(b.toEvent.p99, 1),
          ],
        ],
        [false, true, true, true],
      ),
      '',
      markdownTable(
        ['span (ms)', 'p50', 'p99'],
        b.breakdown.map(([k, p50, p99]) => [k, fmt(p50, 2), fmt(p99, 2)]),
        [false, true, true],
      ),
      '',
      `CPU time per execution during the measured deliveries (ms, /proc user + system). With ${m.nproc} cores wholly for this, the CPU alone would allow about ${fmt((m.nproc * 1000) / cpuTotal(b.cpu), 0)} executions/s; one worker process (one thread) caps at about ${fmt(1000 / (b.cpu.worker ?? Number.NaN), 0)}/s:`,
      '',
      cpuTable(['per execution'], [b.cpu]),
    );
  }
  if (c) {
    const row = (label: string, d: ReturnType<typeof dist>) => [
      label,
      fmt(d.p50, 2),
      fmt(d.p95, 2),
      fmt(d.p99, 2),
    ];
    const table = (f: StreamFigures) =>
      markdownTable(
        ['latency (ms)', 'p50', 'p95', 'p99'],
        [
          row('event created_at -> received by the WebSocket client', f.latency),
          row('part 1: created_at -> seen by a Redis subscriber (commit + publish)', f.toRedis),
          row('part 2: Redis -> WebSocket client (the API hop)', f.redisToWs),
        ],
        [false, true, true, true],
      );
    const about = (f: StreamFigures) =>
      `${f.events} live events (${fmt(f.perSecond, 0)} events/s through the API; ${f.excluded} stored before the socket opened came from the replay and are left out); max ${fmt(f.latency.max, 1)} ms.`;
    out.push(
      '',
      `### (c) worker event -> WebSocket client: a ${opts.streamSets + 2}-node chain (${opts.streamDelayMs} ms delay node first, so the client is connected before the rest), one \`ws\` client per run on \`/api/v1/executions/:id/stream\``,
      '',
      `${c.loaded.runs} runs, ${c.loaded.inFlight} at once: ${about(c.loaded)}`,
      '',
      table(c.loaded),
      '',
      `${c.light.runs} runs, one at a time: ${about(c.light)}`,
      '',
      table(c.light),
      '',
      `Every stream ${c.intact ? 'delivered every seq once, in order, and closed with 1000' : `had problems: ${[...c.loaded.problems, ...c.light.problems].slice(0, 5).join('; ')}`}. created_at is \`now()\` of the transaction that stored the event, i.e. its start: the figures are upper bounds that include the rest of that transaction and its commit. The two parts come from a separate Redis subscriber in the bench process (same clock), so they add up only approximately.`,
    );
  }
  return out.join('\n');
}

// --------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const before = machine();
  const services = await checkServices(serverUrl, redisUrl);
  console.log(
    `executions bench: ${before.nproc} CPUs (${before.cpu}), ${before.ramGiB} GiB, Node ${before.node}, PostgreSQL ${services.postgresVersion}, Redis ${services.redisVersion}, load ${formatLoad(before.load)}`,
  );

  const dbName = await createBenchDatabase(serverUrl, {
    settings: opts.dbSettings,
  });
  const dbUrl = databaseUrlFor(serverUrl, dbName);
  const prefix = `afbench_${randomBytes(4).toString('hex')}`;
  registerRedisCleanup(redisUrl, prefix);
  console.log(`database ${dbName} (migrated), queue prefix ${prefix}`);

  const masterKeys = randomMasterKeys();
  const port = await freePort();
  const nodeArgs = (name: string) =>
    // One directory per child: tsx's loader thread writes its own profile next to the main thread's.
    opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resolve(opts.cpuProf, name)}`] : [];
  const common = {
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    MASTER_KEYS: masterKeys,
    LOG_LEVEL: opts.logLevel,
    SHUTDOWN_TIMEOUT_MS: '5000',
  };
  const apiChild = await startChild(
    'api',
    apiDir,
    'src/main.ts',
    {
      ...common,
      HOST: '127.0.0.1',
      PORT: String(port),
      JWT_SECRET: randomBytes(32).toString('hex'),
      MIGRATE_ON_START: 'false',
      RATE_LIMIT_ENABLED: 'false',
    },
    'api listening',
    { nodeArgs: nodeArgs('api') },
  );
  const workerChild = await startChild(
    'worker',
    workerDir,
    'src/main.ts',
    { ...common, WORKER_CONCURRENCY: String(opts.concurrency) },
    'worker ready',
    { nodeArgs: nodeArgs('worker') },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  console.log(`API on ${baseUrl}, worker ready (concurrency ${opts.concurrency})`);

  const admin = postgres(dbUrl, { max: 2, onnotice: () => {} });
  const stats = postgres(serverUrl, { max: 1, onnotice: () => {} });
  onCleanup('close bench connections', async () => {
    await admin.end({ timeout: 5 });
    await stats.end({ timeout: 5 });
  });
  const watcher = new ExecutionWatcher(redisUrl);
  onCleanup('close the Redis watcher', () => watcher.close());
  await watcher.start();
  onCleanup('close HTTP keep-alive sockets', async () => closeClient());

  const api = new Api(baseUrl, {
    email: `bench-${randomBytes(4).toString('hex')}@bench.agentflow.local`,
    password: randomBytes(18).toString('base64url'),
  });
  const { orgId } = await api.signup('Bench Owner', 'Bench org');
  // Plan limits (10 running at once on starter) would refuse the closed loop: the bench org is enterprise.
  await admin`update organizations set plan = 'enterprise' where id = ${orgId}`;

  const cpu: PidSource = async () => {
    const rows = await stats<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${dbName}`;
    return {
      named: {
        api: apiChild.child.pid ?? 0,
        worker: workerChild.child.pid ?? 0,
        ...(services.redisPid ? { redis: services.redisPid } : {}),
      },
      backends: rows.map((r) => r.pid),
    };
  };
  const ctx: Ctx = { api, baseUrl, admin, stats, dbName, watcher, cpu };
  const a = opts.only.has('a') ? await phaseA(ctx) : undefined;
  const b = opts.only.has('b') ? await phaseB(ctx) : undefined;
  const c = opts.only.has('c') ? await phaseC(ctx) : undefined;
  const summary = summarize(before, services, a, b, c, loadAverage());
  console.log(`\n${summary}\n`);

  const failed = (b && (b.completed !== b.total || Object.keys(b.errors).length > 0)) || (c && !c.intact);
  if (failed) throw new Error('some executions or streams failed: the figures above are not valid');
  if (opts.write) {
    const file = fileURLToPath(new URL('../../../bench/RESULTS.md', import.meta.url));
    writeSection(file, 'executions', 'Executions (issue 5)', summary);
    console.log(`wrote ${file}`);
  }
}

try {
  await main();
  await cleanup();
  process.exit(0);
} catch (error) {
  process.exitCode = 1;
  console.error(`\nexecutions bench failed: ${(error as Error).stack ?? error}`);
  await cleanup();
  process.exit(1);
}
