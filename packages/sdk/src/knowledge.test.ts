import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AgentFlowClient } from './client';
import { AgentFlowError } from './errors';

// A real HTTP server speaking the API's wire format: the client's fetch, multipart encoding, headers
// and contract checks all run for real. It records each request and answers what the test queued.
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}
let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
let answer: { status: number; body?: unknown } = { status: 200 };

const kbId = '6f1c1c56-8a9e-4a8e-9d55-0a0f6f2d8e11';
const docId = '0c7a3a55-2b6f-4f64-8f0e-3c2b9a5d7e21';
const now = '2026-11-21T10:00:00.000Z';
const base = {
  id: kbId,
  name: 'Handbook',
  description: null,
  embedding_model: 'local-hash-1536',
  chunk_size: 1000,
  chunk_overlap: 200,
  document_count: 1,
  chunk_count: 3,
  created_at: now,
  updated_at: now,
};
const doc = {
  id: docId,
  knowledge_base_id: kbId,
  name: 'faq.md',
  source_type: 'upload',
  source_url: null,
  file_type: 'markdown',
  size_bytes: 12,
  status: 'pending',
  error: null,
  chunk_count: 0,
  content_hash: 'ab',
  created_at: now,
  processed_at: null,
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      res.statusCode = answer.status;
      if (answer.body === undefined) return res.end();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer.body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
  answer = { status: 200 };
});

const client = () => new AgentFlowClient({ baseUrl, getAccessToken: () => 'tok' });
const last = () => seen.at(-1) as Seen;

/** The multipart body as the API's parser would see it. */
function formOf(request: Seen): Promise<FormData> {
  return new Request('http://x/', {
    method: 'POST',
    headers: { 'content-type': String(request.headers['content-type']) },
    body: request.body,
  }).formData();
}

describe('client.knowledge', () => {
  it('lists bases with paging and parses the page', async () => {
    answer = { status: 200, body: { data: [base], next_cursor: 'c2' } };
    const page = await client().knowledge.listBases({ limit: 50, cursor: 'c1' });
    expect(page).toEqual({ data: [base], next_cursor: 'c2' });
    expect(last().method).toBe('GET');
    expect(last().url).toBe('/api/v1/knowledge-bases?limit=50&cursor=c1');
    expect(last().headers.authorization).toBe('Bearer tok');
  });

  it('sends a search to the server, encoded, alongside the cursor', async () => {
    answer = { status: 200, body: { data: [base], next_cursor: null } };
    await client().knowledge.listBases({ search: 'refunds 50% & more', limit: 20, cursor: 'c1' });
    expect(last().url).toBe('/api/v1/knowledge-bases?limit=20&cursor=c1&search=refunds+50%25+%26+more');
    const sent = new URL(last().url, 'http://x').searchParams;
    expect(sent.get('search')).toBe('refunds 50% & more');
    // No search (or an empty one): no parameter, every base.
    await client().knowledge.listBases({ search: '' });
    expect(last().url).toBe('/api/v1/knowledge-bases');
  });

  it('creates a base with a JSON body', async () => {
    answer = { status: 201, body: base };
    await expect(client().knowledge.createBase({ name: 'Handbook', chunk_size: 800 })).resolves.toEqual(base);
    expect(last()).toMatchObject({ method: 'POST', url: '/api/v1/knowledge-bases' });
    expect(last().headers['content-type']).toBe('application/json');
    expect(JSON.parse(last().body.toString())).toEqual({ name: 'Handbook', chunk_size: 800 });
  });

  it('uploads several files as multipart "files" parts with their names and bytes', async () => {
    answer = {
      status: 201,
      body: {
        data: [
          { ...doc, duplicate: false },
          { ...doc, duplicate: true },
        ],
      },
    };
    const uploaded = await client().knowledge.uploadDocuments(kbId, [
      new File(['# FAQ\n'], 'faq.md', { type: 'text/markdown' }),
      { name: 'broken.pdf', data: new Uint8Array([1, 2, 3]), type: 'application/pdf' },
    ]);
    expect(uploaded.map((d) => d.duplicate)).toEqual([false, true]);
    expect(last().url).toBe(`/api/v1/knowledge-bases/${kbId}/documents`);
    expect(last().headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const parts = (await formOf(last())).getAll('files') as File[];
    expect(parts.map((p) => p.name)).toEqual(['faq.md', 'broken.pdf']);
    expect(await parts[0]?.text()).toBe('# FAQ\n');
    expect(parts[1]?.type).toBe('application/pdf');
    expect([...new Uint8Array(await (parts[1] as File).arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('surfaces a too-large file as PAYLOAD_TOO_LARGE naming the file', async () => {
    answer = {
      status: 413,
      body: {
        error: {
          code: 'PAYLOAD_TOO_LARGE',
          message: 'File "big.pdf" is larger than the 1 MB limit per file.',
          details: { file: 'big.pdf', max_bytes: 1_048_576 },
          request_id: 'req_9',
        },
      },
    };
    const err = await client()
      .knowledge.uploadDocuments(kbId, [new File(['x'], 'big.pdf')])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentFlowError);
    expect(err).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE', details: { file: 'big.pdf' } });
  });

  it('lists documents by status, adds URL and text documents', async () => {
    const kb = client().knowledge;
    answer = { status: 200, body: { data: [doc], next_cursor: null } };
    await kb.listDocuments(kbId, { status: 'failed', limit: 100 });
    expect(last().url).toBe(`/api/v1/knowledge-bases/${kbId}/documents?limit=100&status=failed`);

    answer = { status: 201, body: { ...doc, source_type: 'url', source_url: 'https://example.com/a' } };
    await kb.addUrlDocument(kbId, { url: 'https://example.com/a' });
    expect(last()).toMatchObject({ method: 'POST', url: `/api/v1/knowledge-bases/${kbId}/documents/url` });
    expect(JSON.parse(last().body.toString())).toEqual({ url: 'https://example.com/a' });

    answer = { status: 201, body: { ...doc, source_type: 'text', duplicate: false } };
    const added = await kb.addTextDocument(kbId, { name: 'Notes', text: 'hello', format: 'markdown' });
    expect(added.duplicate).toBe(false);
    expect(last().url).toBe(`/api/v1/knowledge-bases/${kbId}/documents/text`);
  });

  it('deletes (204, no body) and re-indexes without sending a body', async () => {
    const kb = client().knowledge;
    answer = { status: 204 };
    await expect(kb.deleteDocument(kbId, docId)).resolves.toBeUndefined();
    expect(last()).toMatchObject({
      method: 'DELETE',
      url: `/api/v1/knowledge-bases/${kbId}/documents/${docId}`,
    });
    await expect(kb.deleteBase(kbId)).resolves.toBeUndefined();
    expect(last()).toMatchObject({ method: 'DELETE', url: `/api/v1/knowledge-bases/${kbId}` });

    answer = { status: 202, body: { queued: 1, document_ids: [docId] } };
    await expect(kb.reindexDocument(kbId, docId)).resolves.toEqual({ queued: 1, document_ids: [docId] });
    expect(last().url).toBe(`/api/v1/knowledge-bases/${kbId}/documents/${docId}/reindex`);
    expect(last().headers['content-type']).toBeUndefined();
    expect(last().body.length).toBe(0);
    await kb.reindexBase(kbId);
    expect(last()).toMatchObject({ method: 'POST', url: `/api/v1/knowledge-bases/${kbId}/reindex` });
  });

  it('queries a base and checks the results against the contract', async () => {
    const hit = {
      chunk_id: '5d8e2f0a-1b2c-4d3e-8f4a-5b6c7d8e9f01',
      document_id: docId,
      document_name: 'faq.md',
      knowledge_base_id: kbId,
      chunk_index: 0,
      score: 1,
      text: 'The answer is 42.',
      metadata: {},
    };
    answer = { status: 200, body: { data: [hit], mode: 'keyword' } };
    const res = await client().knowledge.query(kbId, { query: 'answer', mode: 'keyword', top_k: 3 });
    expect(res.data[0]?.text).toBe('The answer is 42.');
    expect(JSON.parse(last().body.toString())).toEqual({ query: 'answer', mode: 'keyword', top_k: 3 });

    // A result without its chunk_index is not what the contract promises.
    answer = { status: 200, body: { data: [{ ...hit, chunk_index: undefined }], mode: 'hybrid' } };
    const err = await client()
      .knowledge.queryMany({ kb_ids: [kbId], query: 'answer' })
      .catch((e: unknown) => e);
    expect(last().url).toBe('/api/v1/knowledge-bases/query');
    expect(err).toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 200 });
  });
});
