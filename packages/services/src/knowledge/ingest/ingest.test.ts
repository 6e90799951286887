import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppError,
  type KnowledgeDocumentEvent,
  listKnowledgeDocumentsQuerySchema,
} from '@agentflow/contracts';
import { APP_ROLE, type Db } from '@agentflow/db';
import { documentChunks, documents, knowledgeBases, organizations } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { type Consumer, InlineQueueDriver, MemoryEventBus } from '@agentflow/queue';
import { Document, Packer, Paragraph, TextRun } from 'docx';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../context';
import { createKeyring } from '../../secrets';
import { DEFAULT_LOCAL_EMBEDDING_MODEL, localHashEmbedding } from '../embeddings';
import { minimalPdf } from '../parsers/test-fixtures';
import { createLocalStorage, type ObjectStorage } from '../storage';
import {
  addTextDocument,
  addUrlDocument,
  deleteDocument,
  type IngestionDeps,
  ingestDocument,
  listDocuments,
  reindexDocument,
  reindexKnowledgeBase,
  uploadDocuments,
} from './index';

let database: TestDatabase;
let app: Db;
let root: string;
let storage: ObjectStorage;
let queue: InlineQueueDriver;
let consumer: Consumer;
let events: MemoryEventBus;
let site: Server;
let siteUrl: string;
const outcomes: Array<{ documentId: string; outcome: string }> = [];

const loopback = { allowCidrs: ['127.0.0.0/8'] };
const keyring = createKeyring({ NODE_ENV: 'test' }, { warn: () => {} });

function deps(): IngestionDeps {
  return { db: app, storage, events, httpPolicy: loopback, keyring };
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = database.connectAs(APP_ROLE).db;
  root = await mkdtemp(join(tmpdir(), 'af-ingest-'));
  storage = createLocalStorage(join(root, 'files'));
  queue = new InlineQueueDriver();
  events = new MemoryEventBus();
  consumer = await queue.consume(
    'ingestion',
    async (payload, job) => {
      const result = await ingestDocument(
        deps(),
        { orgId: payload.org_id, documentId: payload.document_id },
        job.signal,
      );
      outcomes.push({ documentId: payload.document_id, outcome: result.outcome });
    },
    { concurrency: 2 },
  );
  site = createServer((req, res) => {
    if (req.url === '/guide.html') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      return res.end(
        '<html><head><title>Guide</title><style>.x{color:red}</style><script>var secret = "do-not-index";</script></head>' +
          '<body><nav>Home | About</nav><main><h1>Setup guide</h1><p>Install the frobnicator &amp; restart the daemon.</p></main></body></html>',
      );
    }
    if (req.url === '/manual.pdf') {
      res.setHeader('content-type', 'application/pdf');
      return res.end(minimalPdf([['The manual explains calibration of the flux sensor.']]));
    }
    res.statusCode = 404;
    res.end('not here');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await consumer?.close();
  await queue?.close();
  await events?.close();
  site?.close();
  await database?.cleanup();
  await rm(root, { recursive: true, force: true });
});

async function orgWithBase(
  settings: { chunkSize?: number; chunkOverlap?: number; embeddingModel?: string } = {},
) {
  const suffix = randomUUID().slice(0, 8);
  const [org] = await database.db
    .insert(organizations)
    .values({ name: `Org ${suffix}`, slug: `org-${suffix}` })
    .returning({ id: organizations.id });
  const [base] = await database.db
    .insert(knowledgeBases)
    .values({
      orgId: org!.id,
      name: 'Docs',
      embeddingModel: settings.embeddingModel ?? DEFAULT_LOCAL_EMBEDDING_MODEL,
      chunkSize: settings.chunkSize ?? 200,
      chunkOverlap: settings.chunkOverlap ?? 20,
    })
    .returning({ id: knowledgeBases.id });
  const ctx: ServiceContext = { db: app, orgId: org!.id, actor: { type: 'system', reason: 'ingest test' } };
  return { ctx, kbId: base!.id };
}

const svc = () => ({ storage, queue, httpPolicy: loopback });

async function settled(ids: string[], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await database.db.select().from(documents).where(sql`${documents.id} in ${ids}`);
    if (rows.length === ids.length && rows.every((r) => r.status === 'ready' || r.status === 'failed')) {
      return new Map(rows.map((r) => [r.id, r]));
    }
    if (Date.now() > deadline)
      throw new Error(`documents not settled: ${JSON.stringify(rows.map((r) => r.status))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const chunksOf = (documentId: string) =>
  database.db
    .select({
      content: documentChunks.content,
      chunkIndex: documentChunks.chunkIndex,
      metadata: documentChunks.metadata,
      embedding: documentChunks.embedding,
      tsv: sql<string>`${documentChunks.contentTsv}::text`,
    })
    .from(documentChunks)
    .where(eq(documentChunks.documentId, documentId))
    .orderBy(asc(documentChunks.chunkIndex));

async function docx(paragraphs: string[]): Promise<Buffer> {
  const doc = new Document({
    sections: [{ children: paragraphs.map((p) => new Paragraph({ children: [new TextRun(p)] })) }],
  });
  return Packer.toBuffer(doc);
}

describe('ingesting each format', () => {
  it('ingests text, Markdown, HTML, PDF, CSV, JSON and DOCX in one batch; a corrupt PDF fails alone', async () => {
    const { ctx, kbId } = await orgWithBase({ chunkSize: 120, chunkOverlap: 10 });
    const received: KnowledgeDocumentEvent[] = [];
    const unsubscribe = await events.subscribe(`knowledge:${kbId}`, (message) => {
      received.push(JSON.parse(message) as KnowledgeDocumentEvent);
    });
    const extra = Array.from({ length: 8 }, (_, i) => `Person ${i},role ${i},City ${i}`);
    const csv = `name,role,city\nAda,engineer,London\n"Grace, Admiral",scientist,"New York"\nLinus,maintainer,Portland\n${extra.join('\n')}\n`;
    const json = JSON.stringify([
      { id: 1, title: 'Refund policy', body: 'Refunds within 30 days' },
      { id: 2, title: 'Shipping', body: 'Ships in 2 days' },
    ]);
    const files = [
      {
        name: 'notes.txt',
        mimeType: 'text/plain',
        bytes: Buffer.from('Plain notes about the zebra migration.\n\nSecond paragraph.'),
      },
      {
        name: 'readme.md',
        mimeType: 'text/markdown',
        bytes: Buffer.from(
          '# Title\n\nIntro paragraph about llamas.\n\n## Install\n\nRun the installer twice.\n',
        ),
      },
      {
        name: 'page.html',
        mimeType: 'text/html',
        bytes: Buffer.from(
          '<html><head><style>body{}</style><script>alert("no")</script></head><body><article><h2>Otters</h2><p>Otters hold hands &amp; sleep.</p></article></body></html>',
        ),
      },
      {
        name: 'report.pdf',
        mimeType: 'application/pdf',
        bytes: minimalPdf([['Quarterly report of the walrus fund.'], ['Page two mentions penguins.']]),
      },
      { name: 'people.csv', mimeType: 'text/csv', bytes: Buffer.from(csv) },
      { name: 'faq.json', mimeType: 'application/json', bytes: Buffer.from(json) },
      {
        name: 'memo.docx',
        mimeType: null,
        bytes: await docx(['Memo about the narwhal budget.', 'Approved by finance.']),
      },
      {
        name: 'broken.pdf',
        mimeType: 'application/pdf',
        bytes: Buffer.from('%PDF-1.7\nthis is not really a pdf\n%%EOF'),
      },
      { name: 'image.png', mimeType: 'image/png', bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]) },
    ];
    const uploaded = await uploadDocuments(ctx, kbId, files, svc());
    expect(uploaded.map((d) => [d.name, d.file_type, d.status, d.duplicate])).toEqual([
      ['notes.txt', 'text', 'pending', false],
      ['readme.md', 'markdown', 'pending', false],
      ['page.html', 'html', 'pending', false],
      ['report.pdf', 'pdf', 'pending', false],
      ['people.csv', 'csv', 'pending', false],
      ['faq.json', 'json', 'pending', false],
      ['memo.docx', 'docx', 'pending', false],
      ['broken.pdf', 'pdf', 'pending', false],
      ['image.png', 'image/png', 'pending', false],
    ]);
    const rows = await settled(uploaded.map((d) => d.id));
    const byName = (name: string) => [...rows.values()].find((r) => r.name === name)!;

    for (const name of [
      'notes.txt',
      'readme.md',
      'page.html',
      'report.pdf',
      'people.csv',
      'faq.json',
      'memo.docx',
    ]) {
      const row = byName(name);
      expect(row.status, name).toBe('ready');
      expect(row.chunkCount, name).toBeGreaterThan(0);
      expect(row.processedAt, name).not.toBeNull();
      const chunks = await chunksOf(row.id);
      expect(chunks).toHaveLength(row.chunkCount);
      expect(chunks[0]!.embedding).toHaveLength(1536);
      expect(chunks[0]!.tsv.length).toBeGreaterThan(0);
    }
    const text = async (name: string) => (await chunksOf(byName(name).id)).map((c) => c.content).join('\n');
    expect(await text('notes.txt')).toContain('zebra migration');
    expect(await text('readme.md')).toContain('## Install');
    const html = await text('page.html');
    expect(html).toContain('Otters hold hands & sleep.');
    expect(html).not.toMatch(/alert|body\{\}/);
    expect(await text('report.pdf')).toMatch(/walrus fund[\s\S]*penguins/);
    expect(byName('report.pdf').metadata).toMatchObject({ pages: 2 });
    expect(await text('memo.docx')).toContain('narwhal budget');

    // CSV: one row never split, header on top of every chunk (chunk size 120 forces several chunks).
    const csvChunks = await chunksOf(byName('people.csv').id);
    expect(csvChunks.length).toBeGreaterThan(1);
    for (const chunk of csvChunks) expect(chunk.content.startsWith('name,role,city\n')).toBe(true);
    const allRows = csvChunks.flatMap((c) => c.content.split('\n').slice(1));
    expect(allRows).toEqual([
      'Ada,engineer,London',
      '"Grace, Admiral",scientist,New York',
      'Linus,maintainer,Portland',
      ...extra,
    ]);
    // JSON: each record whole.
    const jsonChunks = await chunksOf(byName('faq.json').id);
    const records = jsonChunks.flatMap((c) => c.content.split('\n')).map((line) => JSON.parse(line));
    expect(records).toEqual(JSON.parse(json));

    // The embedding is the local model's vector of the chunk text.
    const first = (await chunksOf(byName('notes.txt').id))[0]!;
    const expected = localHashEmbedding(first.content);
    expect(first.embedding![5]).toBeCloseTo(expected[5]!, 5);

    // Failures are per document, with readable reasons.
    expect(byName('broken.pdf')).toMatchObject({ status: 'failed', chunkCount: 0 });
    expect(byName('broken.pdf').errorMessage).toMatch(/^The PDF could not be read/);
    expect(byName('image.png').status).toBe('failed');
    expect(byName('image.png').errorMessage).toMatch(/Unsupported file type "image\/png" \(image\.png\)/);

    // Progress events: processing 0 .. ready 1 for a good file, failed for a broken one.
    const forDoc = (name: string) => received.filter((e) => e.document_id === byName(name).id);
    const notes = forDoc('notes.txt');
    expect(notes[0]).toEqual({ document_id: byName('notes.txt').id, status: 'processing', progress: 0 });
    expect(notes.at(-1)).toMatchObject({
      status: 'ready',
      progress: 1,
      chunk_count: byName('notes.txt').chunkCount,
    });
    expect(forDoc('broken.pdf').at(-1)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/PDF/),
    });
    await unsubscribe();

    const page = await listDocuments(ctx, kbId, listKnowledgeDocumentsQuerySchema.parse({ limit: 5 }));
    expect(page.data).toHaveLength(5);
    expect(page.next_cursor).not.toBeNull();
    const rest = await listDocuments(
      ctx,
      kbId,
      listKnowledgeDocumentsQuerySchema.parse({ limit: 5, cursor: page.next_cursor }),
    );
    expect(rest.data).toHaveLength(4);
    expect(rest.next_cursor).toBeNull();
    expect(new Set([...page.data, ...rest.data].map((d) => d.id)).size).toBe(9);
    const failed = await listDocuments(
      ctx,
      kbId,
      listKnowledgeDocumentsQuerySchema.parse({ status: 'failed' }),
    );
    expect(failed.data.map((d) => d.name).sort()).toEqual(['broken.pdf', 'image.png']);
    expect(failed.data[0]!.error).toBeTruthy();
  });
});

describe('documents service', () => {
  it('deduplicates a re-upload of the same content into the same base', async () => {
    const { ctx, kbId } = await orgWithBase();
    const bytes = Buffer.from('Same content, uploaded twice.');
    const [first] = await uploadDocuments(ctx, kbId, [{ name: 'a.txt', bytes }], svc());
    const again = await uploadDocuments(
      ctx,
      kbId,
      [
        { name: 'renamed.txt', bytes },
        { name: 'b.txt', bytes },
      ],
      svc(),
    );
    expect(again.map((d) => [d.id, d.duplicate])).toEqual([
      [first!.id, true],
      [first!.id, true],
    ]);
    // Another base of the same org does not dedupe against this one.
    const other = await database.db
      .insert(knowledgeBases)
      .values({ orgId: ctx.orgId, name: 'Other', embeddingModel: DEFAULT_LOCAL_EMBEDDING_MODEL })
      .returning({ id: knowledgeBases.id });
    const [elsewhere] = await uploadDocuments(ctx, other[0]!.id, [{ name: 'a.txt', bytes }], svc());
    expect(elsewhere!.duplicate).toBe(false);
    const text = await addTextDocument(
      ctx,
      kbId,
      { name: 'pasted', text: 'Same content, uploaded twice.', format: 'text' },
      svc(),
    );
    expect(text).toMatchObject({ id: first!.id, duplicate: true });
    await settled([first!.id, elsewhere!.id]);
  });

  it('refuses a file over the size limit with 413 and stores nothing', async () => {
    const { ctx, kbId } = await orgWithBase();
    const error = await uploadDocuments(
      ctx,
      kbId,
      [
        { name: 'ok.txt', bytes: Buffer.from('fine') },
        { name: 'big.txt', bytes: Buffer.alloc(2048, 'a') },
      ],
      { ...svc(), maxFileBytes: 1024 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(413);
    expect((error as AppError).message).toBe('File "big.txt" is larger than the 1 KiB limit per file.');
    const rows = await database.db.select().from(documents).where(eq(documents.knowledgeBaseId, kbId));
    expect(rows).toHaveLength(0);
  });

  it('deletes a document with its chunks and its stored file', async () => {
    const { ctx, kbId } = await orgWithBase();
    const [doc] = await uploadDocuments(
      ctx,
      kbId,
      [{ name: 'gone.txt', bytes: Buffer.from('Soon deleted. '.repeat(50)) }],
      svc(),
    );
    await settled([doc!.id]);
    expect((await chunksOf(doc!.id)).length).toBeGreaterThan(1);
    const dir = join(root, 'files', 'orgs', ctx.orgId, 'kb', kbId);
    expect(await readdir(dir)).toEqual([doc!.id]);
    await deleteDocument(ctx, kbId, doc!.id, svc());
    expect(await chunksOf(doc!.id)).toHaveLength(0);
    expect(await readdir(dir)).toEqual([]);
    await expect(deleteDocument(ctx, kbId, doc!.id, svc())).rejects.toMatchObject({
      code: 'DOCUMENT_NOT_FOUND',
    });
    // Another org cannot see or delete it either.
    const stranger = await orgWithBase();
    await expect(
      listDocuments(stranger.ctx, kbId, listKnowledgeDocumentsQuerySchema.parse({})),
    ).rejects.toMatchObject({
      code: 'KNOWLEDGE_BASE_NOT_FOUND',
    });
  });

  it('re-indexes after a chunk size change: the chunk count changes, old chunks are replaced', async () => {
    const { ctx, kbId } = await orgWithBase({ chunkSize: 400, chunkOverlap: 0 });
    const sentences = Array.from(
      { length: 40 },
      (_, i) => `Sentence number ${i} talks about topic ${i % 7}.`,
    ).join(' ');
    const [doc] = await uploadDocuments(
      ctx,
      kbId,
      [{ name: 'long.txt', bytes: Buffer.from(sentences) }],
      svc(),
    );
    const before = (await settled([doc!.id])).get(doc!.id)!.chunkCount;
    await database.db.update(knowledgeBases).set({ chunkSize: 100 }).where(eq(knowledgeBases.id, kbId));
    const result = await reindexDocument(ctx, kbId, doc!.id, svc());
    expect(result).toEqual({ queued: 1, document_ids: [doc!.id] });
    const after = (await settled([doc!.id])).get(doc!.id)!.chunkCount;
    expect(after).toBeGreaterThan(before * 2);
    const chunks = await chunksOf(doc!.id);
    expect(chunks).toHaveLength(after);
    expect(chunks.map((c) => c.chunkIndex)).toEqual([...Array(after).keys()]);
    expect(chunks.every((c) => c.content.length <= 100)).toBe(true);

    const whole = await reindexKnowledgeBase(ctx, kbId, svc());
    expect(whole.queued).toBe(1);
    await settled([doc!.id]);
    expect(await chunksOf(doc!.id)).toHaveLength(after);
  });

  it('ingests a URL through the SSRF guard; a private address is refused', async () => {
    const { ctx, kbId } = await orgWithBase();
    const page = await addUrlDocument(ctx, kbId, { url: `${siteUrl}/guide.html` }, svc());
    const pdf = await addUrlDocument(ctx, kbId, { url: `${siteUrl}/manual.pdf`, name: 'Manual' }, svc());
    const missing = await addUrlDocument(ctx, kbId, { url: `${siteUrl}/nope` }, svc());
    const rows = await settled([page.id, pdf.id, missing.id]);
    expect(rows.get(page.id)).toMatchObject({
      status: 'ready',
      fileType: 'html',
      name: `${siteUrl}/guide.html`,
    });
    expect(rows.get(page.id)!.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const text = (await chunksOf(page.id)).map((c) => c.content).join('\n');
    expect(text).toContain('Install the frobnicator & restart the daemon.');
    expect(text).not.toMatch(/do-not-index|Home \| About/);
    expect(rows.get(pdf.id)).toMatchObject({ status: 'ready', fileType: 'pdf', name: 'Manual' });
    expect((await chunksOf(pdf.id))[0]!.content).toContain('calibration of the flux sensor');
    expect(rows.get(missing.id)).toMatchObject({
      status: 'failed',
      errorMessage: 'The URL answered HTTP 404.',
    });

    // Without the allow-list: refused when added (422 naming body.url) ...
    const strict = { storage, queue, httpPolicy: {} };
    const refused = await addUrlDocument(ctx, kbId, { url: `${siteUrl}/guide.html` }, strict).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: 'VALIDATION_ERROR', details: { fields: [{ path: 'body.url' }] } });
    // ... and by the job's guard (an address that became private after it was added).
    const [sneaky] = await database.db
      .insert(documents)
      .values({
        orgId: ctx.orgId,
        knowledgeBaseId: kbId,
        name: 'metadata',
        sourceType: 'url',
        sourceUrl: 'http://169.254.169.254/latest/meta-data',
      })
      .returning({ id: documents.id });
    const result = await ingestDocument(
      { ...deps(), httpPolicy: {} },
      { orgId: ctx.orgId, documentId: sneaky!.id },
    );
    expect(result.outcome).toBe('failed');
    expect(result.error).toMatch(/^The URL is not allowed/);
  });

  it('is idempotent: a second delivery of a ready document does nothing; concurrent deliveries store once', async () => {
    const { ctx, kbId } = await orgWithBase();
    const [doc] = await uploadDocuments(
      ctx,
      kbId,
      [{ name: 'twice.txt', bytes: Buffer.from('Delivered twice. '.repeat(40)) }],
      svc(),
    );
    const row = (await settled([doc!.id])).get(doc!.id)!;
    const chunkIds = (await chunksOf(doc!.id)).map((c) => c.content);
    const again = await ingestDocument(deps(), { orgId: ctx.orgId, documentId: doc!.id });
    expect(again.outcome).toBe('skipped');
    const [unchanged] = await database.db.select().from(documents).where(eq(documents.id, doc!.id));
    expect(unchanged!.processedAt).toEqual(row.processedAt);
    expect((await chunksOf(doc!.id)).map((c) => c.content)).toEqual(chunkIds);

    // Two deliveries racing for a pending document: one claims it, the other skips.
    await database.db.update(documents).set({ status: 'pending' }).where(eq(documents.id, doc!.id));
    const [a, b] = await Promise.all([
      ingestDocument(deps(), { orgId: ctx.orgId, documentId: doc!.id }),
      ingestDocument(deps(), { orgId: ctx.orgId, documentId: doc!.id }),
    ]);
    expect([a.outcome, b.outcome].sort()).toEqual(['ready', 'skipped']);
    expect(await chunksOf(doc!.id)).toHaveLength(row.chunkCount);

    // A delivery for another org's id finds nothing (RLS + org filter).
    const stranger = await orgWithBase();
    expect((await ingestDocument(deps(), { orgId: stranger.ctx.orgId, documentId: doc!.id })).outcome).toBe(
      'skipped',
    );
  });

  it('fails a document whose base uses an OpenAI model the org has no key for', async () => {
    const { ctx, kbId } = await orgWithBase({ embeddingModel: 'text-embedding-3-small' });
    const [doc] = await uploadDocuments(
      ctx,
      kbId,
      [{ name: 'k.txt', bytes: Buffer.from('needs a key') }],
      svc(),
    );
    const row = (await settled([doc!.id])).get(doc!.id)!;
    expect(row.status).toBe('failed');
    expect(row.errorMessage).toMatch(/no OpenAI API key is configured/);
  });
});
