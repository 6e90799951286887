import { randomUUID } from 'node:crypto';
import { APP_ROLE, type Db, rowsOf, withOrg } from '@agentflow/db';
import { documents, knowledgeBases, organizations } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  endVectorQuery,
  planVectorQuery,
  vectorCandidates,
  vectorLiteral,
  vectorScanSettings,
  vectorStatement,
} from './vector-query';

// Sizes: one org with a big base (600 chunks), a mid one (150, plus 5 without an embedding) and a
// small one (40); another org with 100. The threshold is lowered per test around the mid base.
let database: TestDatabase;
let app: Db;
let org: string;
let other: string;
const kb = { big: '', mid: '', small: '', foreign: '' };
const query = Array.from({ length: 1536 }, (_, i) => Math.sin(i * 7.3));
const defaults = { ...vectorScanSettings };

async function base(orgId: string, n: number, withoutEmbedding = 0): Promise<string> {
  const [b] = await database.db
    .insert(knowledgeBases)
    .values({ orgId, name: `KB ${n}` })
    .returning({ id: knowledgeBases.id });
  const [d] = await database.db
    .insert(documents)
    .values({ orgId, knowledgeBaseId: b!.id, name: 'doc.txt', status: 'ready', chunkCount: n })
    .returning({ id: documents.id });
  // Random vectors generated server-side (`g.g > 0` makes the subquery per row).
  await database.db.execute(sql`
    insert into document_chunks (org_id, document_id, knowledge_base_id, content, chunk_index, embedding)
    select ${orgId}::uuid, ${d!.id}::uuid, ${b!.id}::uuid, 'chunk ' || g, g,
           case when g > ${withoutEmbedding} then
             (select array_agg(random() - 0.5) from generate_series(1, 1536) d where g.g > 0)::vector end
    from generate_series(1, ${n + withoutEmbedding}) g`);
  return b!.id;
}

async function newOrg(): Promise<string> {
  const suffix = randomUUID().slice(0, 8);
  const [o] = await database.db
    .insert(organizations)
    .values({ name: `Org ${suffix}`, slug: `org-${suffix}` })
    .returning({ id: organizations.id });
  return o!.id;
}

const explain = async (tx: Db, statement: SQL) =>
  rowsOf<{ 'QUERY PLAN': string }>(await tx.execute(sql`explain ${statement}`))
    .map((r) => r['QUERY PLAN'])
    .join('\n');

const setting = async (tx: Db, name: string) =>
  rowsOf<{ v: string }>(await tx.execute(sql`select current_setting(${name}) as v`))[0]!.v;

beforeAll(async () => {
  database = await createTestDatabase();
  app = database.connectAs(APP_ROLE).db;
  org = await newOrg();
  other = await newOrg();
  // Seeded with the HNSW index dropped and rebuilt from its own definition (migration 0004's): one
  // build is cheaper than 900 inserts into the graph, each of which rewrites up to 32 neighbour lists.
  const [index] = rowsOf<{ def: string }>(
    await database.db.execute(sql`select pg_get_indexdef('idx_chunks_embedding'::regclass) as def`),
  );
  await database.db.execute(sql`drop index idx_chunks_embedding`);
  kb.big = await base(org, 600);
  kb.mid = await base(org, 150, 5);
  kb.small = await base(org, 40);
  kb.foreign = await base(other, 100);
  await database.db.execute(sql.raw(index!.def));
  await database.db.execute(sql`analyze document_chunks`);
});

afterEach(() => {
  Object.assign(vectorScanSettings, defaults);
});

afterAll(async () => {
  await database?.cleanup();
});

describe('choosing exact or HNSW', () => {
  it('counts the org’s chunks with an embedding in the given bases, and stops counting past the threshold', async () => {
    const plan = (kbIds: string[]) => withOrg(app, org, (tx) => planVectorQuery(tx, org, kbIds, 10));

    vectorScanSettings.exactScanMaxChunks = 200;
    // 150 with an embedding (the 5 without one do not count): exact.
    expect(await plan([kb.mid])).toEqual({ exact: true, chunks: 150 });
    // Several bases count together: 190 <= 200, still exact; 750 is not.
    expect(await plan([kb.mid, kb.small])).toEqual({ exact: true, chunks: 190 });
    expect(await plan([kb.mid, kb.big])).toMatchObject({ exact: false, chunks: 201 });
    // Another org's base holds nothing for this org.
    expect(await plan([kb.foreign])).toEqual({ exact: true, chunks: 0 });

    // Just above the threshold: HNSW, and the count stopped at threshold + 1 instead of reading all 150.
    vectorScanSettings.exactScanMaxChunks = 149;
    expect(await plan([kb.mid])).toMatchObject({ exact: false, chunks: 150 });
    vectorScanSettings.exactScanMaxChunks = 100;
    expect(await plan([kb.mid])).toMatchObject({ exact: false, chunks: 101 });
  });

  it('above the threshold the statement walks the HNSW index, where the planner alone would sort', async () => {
    vectorScanSettings.exactScanMaxChunks = 100;
    const hnsw = vectorStatement(org, [kb.mid], query, 10, false);
    await withOrg(app, org, async (tx) => {
      // Left to its own costs (which ignore TOASTed vectors), Postgres sorts the 150 chunks instead.
      expect(await explain(tx, hnsw)).not.toContain('idx_chunks_embedding');
      const plan = await planVectorQuery(tx, org, [kb.mid], 10);
      expect(plan.exact).toBe(false);
      const chosen = await explain(tx, hnsw);
      expect(chosen).toContain('Index Scan using idx_chunks_embedding');
      expect(await setting(tx, 'hnsw.ef_search')).toBe(String(vectorScanSettings.minEfSearch));
      expect(await setting(tx, 'hnsw.iterative_scan')).toBe('relaxed_order');
      await endVectorQuery(tx, plan);
    });
  });

  it('at or below the threshold the statement sorts the bases’ chunks exactly (no index walk)', async () => {
    vectorScanSettings.exactScanMaxChunks = 150;
    await withOrg(app, org, async (tx) => {
      expect((await planVectorQuery(tx, org, [kb.mid], 10)).exact).toBe(true);
      expect(await explain(tx, vectorStatement(org, [kb.mid], query, 10, true))).not.toContain(
        'idx_chunks_embedding',
      );
    });
  });

  it('puts the planner settings back after an HNSW query, (keyword search needs bitmap scans for its GIN index)', async () => {
    vectorScanSettings.exactScanMaxChunks = 100;
    await withOrg(app, org, async (tx) => {
      // A caller's own setting survives too.
      await tx.execute(sql`select set_config('enable_seqscan', 'off', true)`);
      const before = { bitmap: await setting(tx, 'enable_bitmapscan'), jit: await setting(tx, 'jit') };
      const rows = await vectorCandidates(tx, org, [kb.mid], query, 10);
      expect(rows).toHaveLength(10);
      expect(await setting(tx, 'enable_bitmapscan')).toBe(before.bitmap);
      expect(await setting(tx, 'enable_sort')).toBe('on');
      expect(await setting(tx, 'jit')).toBe(before.jit);
      expect(await setting(tx, 'enable_seqscan')).toBe('off');
    });
  });
});

describe('results', () => {
  const exactTop = (kbIds: string[], limit: number) =>
    withOrg(app, org, async (tx) =>
      rowsOf<{ id: string }>(
        await tx.execute(sql`select id from document_chunks where knowledge_base_id in ${kbIds}
          and embedding is not null order by embedding <=> ${vectorLiteral(query)}::vector, id limit ${limit}`),
      ).map((r) => r.id),
    );

  it('exact plan: exactly the nearest chunks of the bases, nearest first, scored by cosine similarity', async () => {
    vectorScanSettings.exactScanMaxChunks = 1000;
    const rows = await withOrg(app, org, (tx) => vectorCandidates(tx, org, [kb.mid, kb.small], query, 10));
    expect(rows.map((r) => r.id)).toEqual(await exactTop([kb.mid, kb.small], 10));
    const scores = rows.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const r of rows) expect(r.score).toBeLessThanOrEqual(1);
  });

  it('HNSW plan: top_k from the base among a bigger one’s vectors, close to the exact answer', async () => {
    vectorScanSettings.exactScanMaxChunks = 10;
    const rows = await withOrg(app, org, (tx) => vectorCandidates(tx, org, [kb.small], query, 10));
    expect(rows).toHaveLength(10);
    for (const r of rows) expect(r.knowledge_base_id).toBe(kb.small);
    const truth = await exactTop([kb.small], 10);
    expect(rows.filter((r) => truth.includes(r.id)).length).toBeGreaterThanOrEqual(8);
    // The index compares at half precision; scores and order come from the full-precision vectors.
    const full = await withOrg(app, org, async (tx) =>
      rowsOf<{ id: string; score: number }>(
        await tx.execute(sql`select id, (1 - (embedding <=> ${vectorLiteral(query)}::vector))::float8 as score
          from document_chunks where id in ${rows.map((r) => r.id)}`),
      ),
    );
    for (const r of rows) expect(r.score).toBe(Number(full.find((f) => f.id === r.id)!.score));
    const scores = rows.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });
});
