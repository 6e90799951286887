import { APP_ROLE, type Db, rowsOf, withOrg } from '@agentflow/db';
import { auditLogs, documentChunks, documents } from '@agentflow/db/schema';
import { vectorCandidates, vectorScanSettings, vectorStatement } from '@agentflow/services';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createApiKey } from '../../test-support/auth';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { caller, createAgentAs, triggerNode } from '../agents/test-fixtures';
import { addMember, createOrgWithOwner, expectAudit, type TestMember } from '../org/test-fixtures';
import { handbook, insertDocument, multipart, refundQuestion } from './test-helpers';

const shared = sharedTestDatabase();
let app: App;
const owner = () => shared.get().db;
const call = caller(() => app);

beforeAll(async () => {
  await shared.setup();
  ({ app } = await createTestApp({ database: shared.get().connectAs(APP_ROLE) }));
});
afterAll(async () => {
  await app?.close();
  await shared.teardown();
});

async function createBase(who: TestMember, body: Record<string, unknown> = {}) {
  const res = await call(who, 'POST', '/api/v1/knowledge-bases', { name: `KB ${Math.random()}`, ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string } & Record<string, unknown>;
}

function fieldsOf(res: { json(): unknown }) {
  return (res.json() as { error: { details: { fields: { path: string }[] } } }).error.details.fields.map(
    (f) => f.path,
  );
}

describe('knowledge bases: CRUD, validation, permissions, audit', () => {
  it('creates with defaults, reads, lists with a cursor, updates and deletes (cascade), all audited', async () => {
    const admin = await createOrgWithOwner(app);
    const kb = await createBase(admin, { name: 'Handbook', description: 'HR' });
    expect(kb).toMatchObject({
      name: 'Handbook',
      description: 'HR',
      embedding_model: 'local-hash-1536',
      chunk_size: 1000,
      chunk_overlap: 200,
      document_count: 0,
      chunk_count: 0,
    });
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'knowledge_base.created',
      resourceId: kb.id,
      actor: admin,
    });
    const second = await createBase(admin, {
      embedding_model: 'openai-compatible:nomic-embed-text',
      chunk_size: 500,
      chunk_overlap: 0,
    });
    expect(second).toMatchObject({ embedding_model: 'openai-compatible:nomic-embed-text', chunk_size: 500 });

    await insertDocument(owner(), { orgId: admin.orgId, kbId: kb.id }, 'handbook.md', handbook);
    const read = await call(admin, 'GET', `/api/v1/knowledge-bases/${kb.id}`);
    expect(read.json()).toMatchObject({ id: kb.id, document_count: 1, chunk_count: handbook.length });

    const page1 = (await call(admin, 'GET', '/api/v1/knowledge-bases?limit=1')).json();
    expect(page1.data.map((b: { id: string }) => b.id)).toEqual([second.id]);
    const page2 = (
      await call(admin, 'GET', `/api/v1/knowledge-bases?limit=1&cursor=${page1.next_cursor}`)
    ).json();
    expect(page2).toEqual({
      data: [expect.objectContaining({ id: kb.id, chunk_count: 6 })],
      next_cursor: null,
    });

    const updated = await call(admin, 'PUT', `/api/v1/knowledge-bases/${kb.id}`, {
      chunk_size: 400,
      chunk_overlap: 50,
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toMatchObject({ chunk_size: 400, chunk_overlap: 50, chunk_count: 6 });
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'knowledge_base.updated',
      resourceId: kb.id,
      actor: admin,
      details: { changes: { chunk_size: { from: 1000, to: 400 }, chunk_overlap: { from: 200, to: 50 } } },
    });

    expect((await call(admin, 'DELETE', `/api/v1/knowledge-bases/${kb.id}`)).statusCode).toBe(204);
    expect((await call(admin, 'GET', `/api/v1/knowledge-bases/${kb.id}`)).json().error.code).toBe(
      'KNOWLEDGE_BASE_NOT_FOUND',
    );
    expect(await owner().select().from(documents).where(eq(documents.knowledgeBaseId, kb.id))).toEqual([]);
    expect(
      await owner().select().from(documentChunks).where(eq(documentChunks.knowledgeBaseId, kb.id)),
    ).toEqual([]);
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'knowledge_base.deleted',
      resourceId: kb.id,
      actor: admin,
    });
  });

  it('rejects bad input with 422 naming the field', async () => {
    const admin = await createOrgWithOwner(app);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: '' }, 'body.name'],
      [{ name: 'x', chunk_size: 50 }, 'body.chunk_size'],
      [{ name: 'x', chunk_size: 9000 }, 'body.chunk_size'],
      [{ name: 'x', chunk_size: 500, chunk_overlap: 500 }, 'body.chunk_overlap'],
      [{ name: 'x', embedding_model: 'word2vec' }, 'body.embedding_model'],
      [{ name: 'x', color: 'red' }, 'body'],
    ];
    for (const [body, path] of cases) {
      const res = await call(admin, 'POST', '/api/v1/knowledge-bases', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(
        fieldsOf(res).some((p) => p.startsWith(path)),
        `${JSON.stringify(body)} -> ${res.body}`,
      ).toBe(true);
    }
    const kb = await createBase(admin, { chunk_size: 600, chunk_overlap: 100 });
    // Against the stored chunk_size.
    const overlap = await call(admin, 'PUT', `/api/v1/knowledge-bases/${kb.id}`, { chunk_overlap: 600 });
    expect(overlap.statusCode).toBe(422);
    expect(fieldsOf(overlap)).toEqual(['body.chunk_overlap']);
    const size = await call(admin, 'PUT', `/api/v1/knowledge-bases/${kb.id}`, { chunk_size: 100 });
    expect(size.statusCode).toBe(422);
    expect(fieldsOf(size)).toEqual(['body.chunk_size']);
    expect((await call(admin, 'PUT', `/api/v1/knowledge-bases/${kb.id}`, {})).statusCode).toBe(422);
    expect(fieldsOf(await call(admin, 'GET', '/api/v1/knowledge-bases/nope'))).toEqual(['params.id']);
    const query = await call(admin, 'POST', `/api/v1/knowledge-bases/${kb.id}/query`, {
      query: 'x',
      top_k: 51,
      mode: 'fuzzy',
    });
    expect(query.statusCode).toBe(422);
    expect(fieldsOf(query).sort()).toEqual(['body.mode', 'body.top_k']);
    const multi = await call(admin, 'POST', '/api/v1/knowledge-bases/query', { kb_ids: [], query: 'x' });
    expect(fieldsOf(multi)).toEqual(['body.kb_ids']);
  });

  it('viewers and knowledge:read keys read and query; writing needs editor+ or knowledge:write', async () => {
    const admin = await createOrgWithOwner(app);
    const kb = await createBase(admin);
    const viewer = await addMember(app, admin.orgId, 'viewer');
    const editor = await addMember(app, admin.orgId, 'editor');
    expect((await call(viewer, 'GET', `/api/v1/knowledge-bases/${kb.id}`)).statusCode).toBe(200);
    expect(
      (await call(viewer, 'POST', `/api/v1/knowledge-bases/${kb.id}/query`, { query: 'x' })).statusCode,
    ).toBe(200);
    expect((await call(viewer, 'POST', '/api/v1/knowledge-bases', { name: 'v' })).statusCode).toBe(403);
    expect((await call(viewer, 'DELETE', `/api/v1/knowledge-bases/${kb.id}`)).statusCode).toBe(403);
    expect(
      (await call(editor, 'PUT', `/api/v1/knowledge-bases/${kb.id}`, { name: 'by editor' })).statusCode,
    ).toBe(200);

    const reader = await createApiKey(app, admin.orgId, ['knowledge:read']);
    expect((await call(reader, 'GET', '/api/v1/knowledge-bases')).statusCode).toBe(200);
    expect((await call(reader, 'POST', '/api/v1/knowledge-bases', { name: 'k' })).statusCode).toBe(403);
    const writer = await createApiKey(app, admin.orgId, ['knowledge:write']);
    const created = await call(writer, 'POST', '/api/v1/knowledge-bases', { name: 'by key' });
    expect(created.statusCode).toBe(201);
    const audit = await owner().select().from(auditLogs).where(eq(auditLogs.resourceId, created.json().id));
    expect(audit).toEqual([
      expect.objectContaining({ action: 'knowledge_base.created', apiKeyId: writer.id }),
    ]);
  });
});

describe('retrieval', () => {
  it.each(['vector', 'keyword', 'hybrid'] as const)(
    '%s: the chunk answering a known question is in the top 3, with document name, chunk index, score, text',
    async (mode) => {
      const admin = await createOrgWithOwner(app);
      const kb = await createBase(admin);
      const { chunkIds } = await insertDocument(
        owner(),
        { orgId: admin.orgId, kbId: kb.id },
        'handbook.md',
        handbook,
      );
      const res = await call(admin, 'POST', `/api/v1/knowledge-bases/${kb.id}/query`, {
        query: refundQuestion,
        top_k: 3,
        mode,
      });
      expect(res.statusCode, res.body).toBe(200);
      const { data } = res.json();
      expect(data.length).toBeGreaterThan(0);
      expect(data.length).toBeLessThanOrEqual(3);
      const hit = data.find((r: { chunk_id: string }) => r.chunk_id === chunkIds[0]);
      expect(hit, JSON.stringify(data)).toMatchObject({
        document_name: 'handbook.md',
        knowledge_base_id: kb.id,
        chunk_index: 0,
        text: handbook[0],
        metadata: { source: 'handbook.md' },
      });
      expect(hit.score).toBeGreaterThan(0);
      expect(hit.score).toBeLessThanOrEqual(1);
      const scores = data.map((r: { score: number }) => r.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    },
  );

  it('min_score drops weak results; a base without chunks returns none', async () => {
    const admin = await createOrgWithOwner(app);
    const kb = await createBase(admin);
    const empty = await createBase(admin);
    await insertDocument(owner(), { orgId: admin.orgId, kbId: kb.id }, 'handbook.md', handbook);
    const all = (
      await call(admin, 'POST', `/api/v1/knowledge-bases/${kb.id}/query`, {
        query: refundQuestion,
        top_k: 6,
        mode: 'vector',
      })
    ).json().data;
    expect(all).toHaveLength(6);
    const cut = (all[0].score + all[5].score) / 2;
    const strong = (
      await call(admin, 'POST', `/api/v1/knowledge-bases/${kb.id}/query`, {
        query: refundQuestion,
        top_k: 6,
        mode: 'vector',
        min_score: cut,
      })
    ).json().data;
    expect(strong.length).toBeGreaterThan(0);
    expect(strong.length).toBeLessThan(6);
    for (const r of strong) expect(r.score).toBeGreaterThanOrEqual(cut);
    for (const mode of ['vector', 'keyword', 'hybrid']) {
      const res = await call(admin, 'POST', `/api/v1/knowledge-bases/${empty.id}/query`, {
        query: refundQuestion,
        mode,
      });
      expect(res.json()).toEqual({ data: [], mode });
    }
  });

  it('multi-base query merges the org’s bases; unknown or foreign ids are 404 naming them', async () => {
    const admin = await createOrgWithOwner(app);
    const a = await createBase(admin);
    const b = await createBase(admin);
    await insertDocument(owner(), { orgId: admin.orgId, kbId: a.id }, 'refunds.md', [
      handbook[0]!,
      handbook[1]!,
    ]);
    await insertDocument(owner(), { orgId: admin.orgId, kbId: b.id }, 'support.md', [
      handbook[3]!,
      'Refund requests after 30 days are reviewed by a manager.',
    ]);
    const res = await call(admin, 'POST', '/api/v1/knowledge-bases/query', {
      kb_ids: [a.id, b.id],
      query: 'refund',
      top_k: 4,
      mode: 'hybrid',
    });
    expect(res.statusCode, res.body).toBe(200);
    const data = res.json().data as Array<{ knowledge_base_id: string; document_name: string }>;
    expect(new Set(data.map((r) => r.knowledge_base_id))).toEqual(new Set([a.id, b.id]));
    expect(
      data
        .slice(0, 2)
        .map((r) => r.document_name)
        .sort(),
    ).toEqual(['refunds.md', 'support.md']);

    const other = await createOrgWithOwner(app);
    const foreign = await createBase(other);
    await insertDocument(owner(), { orgId: other.orgId, kbId: foreign.id }, 'secret.md', [
      'Refund secret: the other org refunds within 365 days.',
    ]);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const refused = await call(admin, 'POST', '/api/v1/knowledge-bases/query', {
      kb_ids: [a.id, foreign.id, unknown],
      query: 'refund',
    });
    expect(refused.statusCode).toBe(404);
    expect(refused.json().error).toMatchObject({
      code: 'KNOWLEDGE_BASE_NOT_FOUND',
      details: { knowledge_base_ids: [foreign.id, unknown] },
    });
    expect(refused.json().error.message).toContain(foreign.id);
    expect(refused.body).not.toContain('365');
  });

  it('another org’s base is invisible: 404 on it, and its chunks never appear in the caller’s results', async () => {
    const a = await createOrgWithOwner(app);
    const b = await createOrgWithOwner(app);
    const kbA = await createBase(a);
    const kbB = await createBase(b);
    // Identical content in both orgs: only the caller's copy may come back.
    const mine = await insertDocument(owner(), { orgId: b.orgId, kbId: kbB.id }, 'b.md', handbook);
    await insertDocument(owner(), { orgId: a.orgId, kbId: kbA.id }, 'a.md', handbook);
    for (const mode of ['vector', 'keyword', 'hybrid']) {
      const res = await call(b, 'POST', `/api/v1/knowledge-bases/${kbB.id}/query`, {
        query: refundQuestion,
        top_k: 50,
        mode,
      });
      const data = res.json().data as Array<{ chunk_id: string; knowledge_base_id: string }>;
      expect(data.length).toBeGreaterThan(0);
      for (const r of data) {
        expect(r.knowledge_base_id).toBe(kbB.id);
        expect(mine.chunkIds).toContain(r.chunk_id);
      }
      const foreign = await call(b, 'POST', `/api/v1/knowledge-bases/${kbA.id}/query`, {
        query: refundQuestion,
        mode,
      });
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json().error.code).toBe('KNOWLEDGE_BASE_NOT_FOUND');
    }
  });
});

describe('HNSW with iterative index scans', () => {
  it('a tiny tenant among a big one still gets top_k from the HNSW path (and without iterative scans it would not)', async () => {
    const big = await createOrgWithOwner(app);
    const tiny = await createOrgWithOwner(app);
    const kbBig = await createBase(big);
    const kbTiny = await createBase(tiny);
    const bigDoc = await insertDocument(owner(), { orgId: big.orgId, kbId: kbBig.id }, 'big.md', ['seed']);
    const tinyDoc = await insertDocument(owner(), { orgId: tiny.orgId, kbId: kbTiny.id }, 'tiny.md', [
      'seed',
    ]);
    // Random vectors generated server-side: 800 for the big tenant, 20 for the tiny one.
    const fill = (orgId: string, kbId: string, documentId: string, n: number) =>
      owner().execute(sql`
        insert into document_chunks (org_id, document_id, knowledge_base_id, content, chunk_index, embedding)
        select ${orgId}::uuid, ${documentId}::uuid, ${kbId}::uuid, 'chunk ' || g, g,
               (select array_agg(random() - 0.5) from generate_series(1, 1536) d where g.g > 0)::vector
        from generate_series(1, ${n}) g`);
    // Seeded with the HNSW index dropped and rebuilt from its own definition (migration 0004's): one
    // build is cheaper than 820 inserts into the graph, each of which rewrites up to 32 neighbour lists.
    const [index] = rowsOf<{ def: string }>(
      await owner().execute(sql`select pg_get_indexdef('idx_chunks_embedding'::regclass) as def`),
    );
    await owner().execute(sql`drop index idx_chunks_embedding`);
    await fill(big.orgId, kbBig.id, bigDoc.documentId, 800);
    await fill(tiny.orgId, kbTiny.id, tinyDoc.documentId, 20);
    await owner().execute(sql.raw(index!.def));
    await owner().execute(sql`analyze document_chunks`);
    const query = Array.from({ length: 1536 }, (_, i) => Math.sin(i * 7.3));

    const db = app.authDeps.db;
    // The HNSW path only: no sort (so no exact btree + sort plan), no bitmap, no sequential scan.
    const hnswOnly = <T>(fn: (tx: Db) => Promise<T>) =>
      withOrg(db, tiny.orgId, async (tx) => {
        await tx.execute(
          sql`select set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`,
        );
        return fn(tx);
      });
    // The product's HNSW statement (it orders by the index's half-precision expression).
    const plan = await hnswOnly(async (tx) =>
      rowsOf<{ 'QUERY PLAN': string }>(
        await tx.execute(sql`explain ${vectorStatement(tiny.orgId, [kbTiny.id], query, 10, false)}`),
      ),
    );
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('idx_chunks_embedding');

    const exact = await withOrg(db, tiny.orgId, async (tx) =>
      rowsOf<{ id: string }>(
        await tx.execute(sql`select id from document_chunks where knowledge_base_id = ${kbTiny.id}::uuid
          order by embedding <=> ${`[${query.join(',')}]`}::vector, id limit 10`),
      ),
    );
    // By default a base this small is searched exactly (no HNSW walk at all): the exact top 10.
    const small = await withOrg(db, tiny.orgId, (tx) =>
      vectorCandidates(tx, tiny.orgId, [kbTiny.id], query, 10),
    );
    expect(small.map((r) => r.id)).toEqual(exact.map((e) => e.id));

    // Force the HNSW path even for this small base: iterative scans are what keep it at top_k.
    const savedExact = vectorScanSettings.exactScanMaxChunks;
    vectorScanSettings.exactScanMaxChunks = 0;
    const withIterative = await hnswOnly((tx) =>
      vectorCandidates(tx, tiny.orgId, [kbTiny.id], query, 10),
    ).finally(() => {
      vectorScanSettings.exactScanMaxChunks = savedExact;
    });
    expect(withIterative).toHaveLength(10);
    const overlap = withIterative.filter((r) => exact.some((e) => e.id === r.id)).length;
    expect(overlap).toBeGreaterThanOrEqual(9);
    for (const r of withIterative) expect(r.knowledge_base_id).toBe(kbTiny.id);

    // Without iterative scans the walk returns at most ef_search candidates and the org filter keeps
    // only the tiny tenant's among them. With the product's ef_search (400 of these 820 random chunks)
    // the tiny tenant's 20 would average ~10 of them, so whether 10 come back is chance; at 40 they
    // average ~1, so a short result shows what iterative scans are for.
    const saved = { ...vectorScanSettings };
    vectorScanSettings.iterativeScan = 'off';
    vectorScanSettings.exactScanMaxChunks = 0;
    vectorScanSettings.minEfSearch = 40;
    try {
      const without = await hnswOnly((tx) => vectorCandidates(tx, tiny.orgId, [kbTiny.id], query, 10));
      expect(without.length).toBeLessThan(10);
    } finally {
      Object.assign(vectorScanSettings, saved);
    }
    expect(
      (
        await owner()
          .select()
          .from(documentChunks)
          .where(and(eq(documentChunks.orgId, tiny.orgId)))
      ).length,
    ).toBe(21);
    expect(await owner().$count(documentChunks, eq(documentChunks.orgId, big.orgId))).toBe(801);
  });
});

describe('the knowledge node in an execution', () => {
  it('trigger -> knowledge search -> echo chat with the context -> output carries the retrieved chunk', async () => {
    const admin = await createOrgWithOwner(app);
    // Small chunks: one paragraph of the handbook per chunk.
    const kb = await createBase(admin, { chunk_size: 200, chunk_overlap: 0 });
    const upload = multipart([
      { name: 'handbook.md', type: 'text/markdown', content: Buffer.from(handbook.join('\n\n')) },
    ]);
    const uploaded = await app.inject({
      method: 'POST',
      url: `/api/v1/knowledge-bases/${kb.id}/documents`,
      headers: { ...admin.headers, ...upload.headers },
      payload: upload.payload,
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const ready = Date.now() + 15_000;
    for (;;) {
      const docs = (await call(admin, 'GET', `/api/v1/knowledge-bases/${kb.id}/documents`)).json().data;
      if (docs[0]?.status === 'ready') break;
      expect(docs[0]?.status, JSON.stringify(docs[0])).not.toBe('failed');
      if (Date.now() > ready) throw new Error(`document not ingested: ${JSON.stringify(docs)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const at = (y: number) => ({ x: 0, y });
    const definition = {
      nodes: [
        triggerNode(),
        {
          id: 'search',
          type: 'knowledge',
          subtype: 'search',
          label: 'Search the handbook',
          config: { knowledge_base_ids: [kb.id], query: '{{trigger.data.question}}', top_k: 2 },
          position: at(100),
        },
        {
          id: 'answer',
          type: 'ai',
          subtype: 'chat',
          label: 'Answer (echo)',
          config: {
            model: 'echo',
            user_prompt:
              'Answer from these passages:\n{{node_search.output.context}}\n\nQuestion: {{trigger.data.question}}',
          },
          position: at(200),
        },
        {
          id: 'respond',
          type: 'output',
          subtype: 'respond',
          label: 'Respond',
          config: { body: '{{node_answer.output.text}}' },
          position: at(300),
        },
      ],
      edges: [
        { id: 'e1', source: 'trigger', target: 'search' },
        { id: 'e2', source: 'search', target: 'answer' },
        { id: 'e3', source: 'answer', target: 'respond' },
      ],
    };
    const agent = await createAgentAs(app, admin, { definition });
    const published = await call(admin, 'POST', `/api/v1/agents/${agent.id}/publish`, {
      change_message: 'v1',
    });
    expect(published.statusCode, published.body).toBe(201);
    expect(
      (await call(admin, 'PUT', `/api/v1/agents/${agent.id}/status`, { status: 'active' })).statusCode,
    ).toBe(200);
    const started = await call(admin, 'POST', `/api/v1/agents/${agent.id}/execute`, {
      trigger_data: { question: refundQuestion },
    });
    expect(started.statusCode, started.body).toBe(202);
    const execution = await waitForEnd(admin, started.json().execution_id);
    expect(execution.status, JSON.stringify(execution.error)).toBe('completed');
    expect(JSON.stringify(execution.output)).toContain('within 30 days of purchase');
    const steps = (await call(admin, 'GET', `/api/v1/executions/${execution.id}/steps`)).json().data;
    const search = steps.find((s: { node_key: string }) => s.node_key === 'search');
    expect(search.output.results[0]).toMatchObject({ document_name: 'handbook.md', chunk_index: 0 });
    expect(search.output.results[0].text).toContain('within 30 days of purchase');

    // A base of another org in the definition fails the step clearly.
    const other = await createOrgWithOwner(app);
    const foreign = await createBase(other);
    const bad = await call(admin, 'POST', `/api/v1/agents/${agent.id}/test`, {
      definition: {
        ...definition,
        nodes: definition.nodes.map((n) =>
          n.id === 'search' ? { ...n, config: { ...n.config, knowledge_base_ids: [foreign.id] } } : n,
        ),
      },
      trigger_data: { question: 'refund' },
    });
    expect(bad.statusCode, bad.body).toBe(200);
    expect(bad.json()).toMatchObject({ status: 'failed', error: { code: 'KNOWLEDGE_BASE_NOT_FOUND' } });
    expect(JSON.stringify(bad.json().error)).toContain(foreign.id);
  });
});

async function waitForEnd(who: TestMember, id: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const body = (await call(who, 'GET', `/api/v1/executions/${id}`)).json();
    if (['completed', 'failed', 'cancelled'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`execution ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
