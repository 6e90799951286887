/**
 * bench:rag (issue 7): 100,000 chunks across 100 orgs of Zipf-skewed sizes in a database of its own
 * (created, migrated, dropped). Measures ingestion (local embedder + batched inserts), HNSW recall@10
 * against an exact scan with the same filter (largest and smallest tenants; iterative scans on/off),
 * and query latency of the production path (`vectorCandidates` in the org transaction, RLS on).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm bench:rag [--chunks 100000]
 */
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { APP_ROLE, type Db, rowsOf, withOrg } from '@agentflow/db';
import { createTestDatabase } from '@agentflow/db/testing';
import { sql } from 'drizzle-orm';
import { createLocalEmbedder, DEFAULT_LOCAL_EMBEDDING_MODEL } from '../src/knowledge/embeddings';
import { vectorCandidates, vectorLiteral, vectorScanSettings } from '../src/knowledge/search';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TOTAL = arg('chunks', 100_000);
const ORGS = arg('orgs', 100);
const QUERIES = arg('queries', 40);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// Deterministic PRNG (mulberry32) so runs are comparable.
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;

/** Zipf sizes (s = 1.25) summing to TOTAL, at least 20 each. */
function tenantSizes(): number[] {
  const w = Array.from({ length: ORGS }, (_, i) => 1 / (i + 1) ** 1.25);
  const sum = w.reduce((a, b) => a + b, 0);
  const sizes = w.map((x) => Math.max(20, Math.floor((TOTAL * x) / sum)));
  sizes[0] = (sizes[0] as number) + TOTAL - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

// Synthetic corpus: 40 topics of 12 words each over a shared vocabulary, plus common filler words. Few
// topics on purpose: small tenants share them with the big one, so their nearest neighbours in the whole
// index are mostly other orgs' chunks (the case iterative scans exist for).
const syllables = [
  'ka',
  'lo',
  'mi',
  'ren',
  'tu',
  'vas',
  'zel',
  'or',
  'pim',
  'qua',
  'sto',
  'bri',
  'dex',
  'fum',
  'gar',
];
const word = () => Array.from({ length: 2 + Math.floor(rand() * 2) }, () => pick(syllables)).join('');
const vocabulary = Array.from({ length: 4000 }, word);
const topics = Array.from({ length: 40 }, () => Array.from({ length: 12 }, () => pick(vocabulary)));
const filler = ['the', 'and', 'with', 'for', 'policy', 'customer', 'order', 'team', 'report', 'data'];
function chunkText(topic: string[]): string {
  const n = 60 + Math.floor(rand() * 60);
  return Array.from({ length: n }, () =>
    rand() < 0.55 ? pick(topic) : rand() < 0.5 ? pick(filler) : pick(vocabulary),
  ).join(' ');
}
const questionFor = (topic: string[]) => Array.from({ length: 6 }, () => pick(topic)).join(' ');

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};

async function main() {
  const started = Date.now();
  console.log(
    `bench:rag: ${TOTAL} chunks, ${ORGS} orgs, database on ${databaseUrl.replace(/\/\/[^@]*@/, '//')}`,
  );
  const database = await createTestDatabase({ databaseUrl });
  const owner = database.db as Db;
  const app = database.connectAs(APP_ROLE).db as Db;
  try {
    const sizes = tenantSizes();
    const embedder = createLocalEmbedder(DEFAULT_LOCAL_EMBEDDING_MODEL);
    type Tenant = { orgId: string; kbId: string; docId: string; size: number; topics: string[][] };
    const tenants: Tenant[] = [];
    for (let i = 0; i < ORGS; i++) {
      const [org] = rowsOf<{ id: string }>(
        await owner.execute(
          sql`insert into organizations (name, slug) values (${`Bench ${i}`}, ${`bench-${i}-${Date.now()}`}) returning id`,
        ),
      );
      const [kb] = rowsOf<{ id: string }>(
        await owner.execute(
          sql`insert into knowledge_bases (org_id, name, embedding_model) values (${org!.id}, 'kb', ${DEFAULT_LOCAL_EMBEDDING_MODEL}) returning id`,
        ),
      );
      const [doc] = rowsOf<{ id: string }>(
        await owner.execute(
          sql`insert into documents (org_id, knowledge_base_id, name, status) values (${org!.id}, ${kb!.id}, 'corpus.txt', 'ready') returning id`,
        ),
      );
      const own = Array.from({ length: 3 + Math.min(20, Math.floor(sizes[i]! / 2000)) }, () => pick(topics));
      tenants.push({ orgId: org!.id, kbId: kb!.id, docId: doc!.id, size: sizes[i]!, topics: own });
    }

    // Ingestion 1: bulk load (embed + batched multi-row inserts), HNSW index dropped, then built.
    await owner.execute(sql`drop index idx_chunks_embedding`);
    const batch = 500;
    let embedMs = 0;
    const t0 = performance.now();
    const insertBatch = async (t: Tenant, from: number, n: number) => {
      const texts = Array.from({ length: n }, () => chunkText(pick(t.topics)));
      const e0 = performance.now();
      const vectors = await embedder.embed(texts);
      embedMs += performance.now() - e0;
      // Float32 precision is all pgvector keeps: 7 significant digits make the statement ~2x smaller.
      const literal = (v: number[]) => `[${v.map((x) => (x === 0 ? '0' : x.toPrecision(7))).join(',')}]`;
      const values = texts.map(
        (text, k) =>
          sql`(${t.orgId}::uuid, ${t.docId}::uuid, ${t.kbId}::uuid, ${text}, ${from + k}, ${literal(vectors[k]!)}::vector)`,
      );
      await owner.execute(
        sql`insert into document_chunks (org_id, document_id, knowledge_base_id, content, chunk_index, embedding) values ${sql.join(values, sql`, `)}`,
      );
    };
    for (const t of tenants) {
      for (let from = 0; from < t.size; from += batch)
        await insertBatch(t, from, Math.min(batch, t.size - from));
    }
    const bulkSeconds = (performance.now() - t0) / 1000;
    const bulkEmbedMs = embedMs;
    console.log(
      `bulk load: ${TOTAL} chunks in ${bulkSeconds.toFixed(1)} s (${Math.round(TOTAL / bulkSeconds)}/s; embedding ${(embedMs / 1000).toFixed(1)} s)`,
    );
    const b0 = performance.now();
    await owner.execute(sql`set maintenance_work_mem = '2GB'`);
    await owner.execute(
      sql`create index idx_chunks_embedding on document_chunks using hnsw (embedding vector_cosine_ops)`,
    );
    const buildSeconds = (performance.now() - b0) / 1000;
    await owner.execute(sql`analyze document_chunks`);
    console.log(`HNSW build (m=16, ef_construction=64): ${buildSeconds.toFixed(1)} s`);

    // Ingestion 2: incremental, index present (what a live upload pays).
    const incremental = Math.min(5000, Math.floor(TOTAL / 20));
    embedMs = 0;
    const i0 = performance.now();
    const mid = tenants[Math.floor(ORGS / 10)]!;
    for (let from = 0; from < incremental; from += batch) await insertBatch(mid, mid.size + from, batch);
    mid.size += incremental;
    const incSeconds = (performance.now() - i0) / 1000;
    console.log(
      `incremental: ${incremental} chunks in ${incSeconds.toFixed(1)} s (${Math.round(incremental / incSeconds)}/s) with the HNSW index`,
    );

    // Recall and latency.
    const exact = async (t: Tenant, q: number[]) =>
      withOrg(app, t.orgId, async (tx) => {
        await tx.execute(
          sql`select set_config('enable_indexscan', 'off', true), set_config('enable_bitmapscan', 'off', true)`,
        );
        return rowsOf<{ id: string }>(
          await tx.execute(sql`select id from document_chunks c where c.org_id = ${t.orgId}::uuid and c.knowledge_base_id in (${t.kbId}::uuid)
            and c.embedding is not null order by c.embedding <=> ${vectorLiteral(q)}::vector limit 10`),
        ).map((r) => r.id);
      });
    const forceHnsw = sql`select set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`;
    const run = async (t: Tenant, q: number[], forced: boolean) => {
      const s = performance.now();
      const rows = await withOrg(app, t.orgId, async (tx) => {
        if (forced) await tx.execute(forceHnsw);
        return vectorCandidates(tx, t.orgId, [t.kbId], q, 10);
      });
      return { ids: rows.map((r) => r.id), ms: performance.now() - s };
    };
    const largest = tenants[0]!;
    const smallest = [...tenants].sort((a, b) => a.size - b.size).slice(0, 10);
    const queriesOf = async (t: Tenant, n: number) =>
      embedder.embed(Array.from({ length: n }, () => questionFor(pick(t.topics))));

    const recall = async (group: Tenant[], perTenant: number, forced: boolean) => {
      let hit = 0;
      let total = 0;
      let short = 0;
      for (const t of group) {
        for (const q of await queriesOf(t, perTenant)) {
          const truth = await exact(t, q);
          const got = await run(t, q, forced);
          hit += got.ids.filter((id) => truth.includes(id)).length;
          total += truth.length;
          if (got.ids.length < truth.length) short++;
        }
      }
      return { recall: hit / total, short };
    };
    const results: Record<string, { recall: number; short: number }> = {};
    const settings = { ...vectorScanSettings };
    results['largest, planner'] = await recall([largest], QUERIES, false);
    results['largest, HNSW forced'] = await recall([largest], QUERIES, true);
    results['10 smallest, planner'] = await recall(smallest, Math.ceil(QUERIES / 10), false);
    results['10 smallest, HNSW forced'] = await recall(smallest, Math.ceil(QUERIES / 10), true);
    vectorScanSettings.iterativeScan = 'off';
    results['10 smallest, HNSW forced, iterative off'] = await recall(
      smallest,
      Math.ceil(QUERIES / 10),
      true,
    );
    results['largest, HNSW forced, iterative off'] = await recall([largest], QUERIES, true);
    vectorScanSettings.iterativeScan = settings.iterativeScan;
    for (const [k, v] of Object.entries(results))
      console.log(`recall@10 ${k}: ${v.recall.toFixed(3)} (short results: ${v.short})`);

    // Latency: production path (planner), queries spread over all tenants, plus the two extremes.
    const latency = async (group: Tenant[], n: number, forced = false) => {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = pick(group);
        const [q] = await queriesOf(t, 1);
        ms.push((await run(t, q!, forced)).ms);
      }
      return { p50: percentile(ms, 50), p95: percentile(ms, 95), max: Math.max(...ms) };
    };
    for (const t of tenants.slice(0, 3)) await run(t, (await queriesOf(t, 1))[0]!, false); // warm up
    const lat = {
      'all tenants': await latency(tenants, 300),
      largest: await latency([largest], 100),
      '10 smallest': await latency(smallest, 100),
      '10 smallest, HNSW forced': await latency(smallest, 30, true),
    };
    for (const [k, v] of Object.entries(lat))
      console.log(
        `latency ${k}: p50 ${v.p50.toFixed(2)} ms, p95 ${v.p95.toFixed(2)} ms, max ${v.max.toFixed(1)} ms`,
      );

    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const pgv = rowsOf<{ v: string }>(
      await owner.execute(sql`select extversion as v from pg_extension where extname = 'vector'`),
    )[0]?.v;
    const pg = rowsOf<{ v: string }>(await owner.execute(sql`show server_version`))[0];
    const uptime = execSync('uptime').toString().trim();
    const section = [
      '',
      '## Knowledge retrieval (issue 7)',
      '',
      `\`pnpm bench:rag\` (packages/services/bench/rag.ts), ${new Date().toISOString()}: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, Postgres ${Object.values(pg ?? {})[0]} + pgvector ${pgv}. Load (\`uptime\`, at the end): \`${uptime}\` — 2 cores shared with other engineers' work, so latencies are upper bounds.`,
      '',
      `Data: ${TOTAL.toLocaleString('en')} chunks (+${incremental.toLocaleString('en')} incremental) across ${ORGS} orgs, Zipf s=1.25 sizes: largest ${tenants[0]!.size.toLocaleString('en')}, smallest ${Math.min(...tenants.map((t) => t.size))}, median ${percentile(
        tenants.map((t) => t.size),
        50,
      )}. Text: synthetic topic-word chunks (60–120 words); embeddings from the built-in local embedder \`${DEFAULT_LOCAL_EMBEDDING_MODEL}\` (1536-d feature hashing, deterministic), queries = 6 topic words embedded the same way. Settings: \`hnsw.iterative_scan = ${settings.iterativeScan}\`, \`hnsw.ef_search = max(${settings.minEfSearch}, 2·limit)\`, \`hnsw.max_scan_tuples = ${settings.maxScanTuples}\` (SET LOCAL in the org transaction), HNSW m=16, ef_construction=64.`,
      '',
      '| ingestion | chunks | seconds | chunks/s |',
      '| --- | ---: | ---: | ---: |',
      `| bulk: local embedder + 500-row inserts, index dropped | ${TOTAL} | ${bulkSeconds.toFixed(1)} | ${Math.round(TOTAL / bulkSeconds)} |`,
      `| of which embedding (local model) | ${TOTAL} | ${(bulkEmbedMs / 1000).toFixed(1)} | ${Math.round(TOTAL / (bulkEmbedMs / 1000))} |`,
      `| HNSW index build afterwards | ${TOTAL} | ${buildSeconds.toFixed(1)} | ${Math.round(TOTAL / buildSeconds)} |`,
      `| bulk + build together | ${TOTAL} | ${(bulkSeconds + buildSeconds).toFixed(1)} | ${Math.round(TOTAL / (bulkSeconds + buildSeconds))} |`,
      `| incremental: same, into the indexed table | ${incremental} | ${incSeconds.toFixed(1)} | ${Math.round(incremental / incSeconds)} |`,
      '',
      '| recall@10 vs exact scan (same org + base filter) | recall | queries returning < 10 |',
      '| --- | ---: | ---: |',
      ...Object.entries(results).map(([k, v]) => `| ${k} | ${v.recall.toFixed(3)} | ${v.short} |`),
      '',
      '"planner" = the production query as is (Postgres may choose the exact btree + sort plan for a tiny base); "HNSW forced" = sort, bitmap and sequential scans disabled so the HNSW index scan is the only plan.',
      '',
      '| query latency (vectorCandidates incl. SET LOCAL + RLS, top 10) | p50 ms | p95 ms | max ms |',
      '| --- | ---: | ---: | ---: |',
      ...Object.entries(lat).map(
        ([k, v]) => `| ${k} | ${v.p50.toFixed(2)} | ${v.p95.toFixed(2)} | ${v.max.toFixed(1)} |`,
      ),
      '',
      `Total bench time ${((Date.now() - started) / 1000).toFixed(0)} s.`,
      '',
    ].join('\n');
    const out = new URL('../../../bench/RESULTS.md', import.meta.url);
    if (!process.argv.includes('--no-write')) {
      // Only this bench's section (between its markers) is replaced; other benches own the rest.
      const current = readFileSync(out, 'utf8');
      const start = '<!-- bench:rag:start -->';
      const end = '<!-- bench:rag:end -->';
      const block = `${start}\n${section.trim()}\n${end}`;
      const from = current.indexOf(start);
      const to = current.indexOf(end);
      writeFileSync(
        out,
        from >= 0 && to > from
          ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}`
          : `${current.trimEnd()}\n\n${block}\n`,
      );
    }
    console.log(section);
  } finally {
    await database.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
