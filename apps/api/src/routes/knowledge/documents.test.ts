import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ROLE } from '@agentflow/db';
import { createLocalStorage } from '@agentflow/services';
import { minimalPdf } from '@agentflow/services/testing/knowledge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { addMember, createApiKey, createUserWithOrg, type TestUser } from '../../test-support/auth';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { multipart } from './test-helpers';

const db = sharedTestDatabase();
let app: App;
let small: App;
let root: string;
let owner: TestUser;

async function createBase(target: App, user: TestUser, body: Record<string, unknown> = {}): Promise<string> {
  const res = await target.inject({
    method: 'POST',
    url: '/api/v1/knowledge-bases',
    headers: user.headers,
    payload: {
      name: `KB ${Math.random()}`,
      embedding_model: 'local-hash-1536',
      chunk_size: 200,
      chunk_overlap: 20,
      ...body,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function listAll(target: App, user: TestUser, kbId: string) {
  const res = await target.inject({
    method: 'GET',
    url: `/api/v1/knowledge-bases/${kbId}/documents`,
    headers: user.headers,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data as Array<Record<string, unknown>>;
}

async function settled(target: App, user: TestUser, kbId: string, count: number) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const docs = await listAll(target, user, kbId);
    if (docs.length === count && docs.every((d) => d.status === 'ready' || d.status === 'failed'))
      return docs;
    if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(docs)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  await db.setup();
  root = await mkdtemp(join(tmpdir(), 'af-api-docs-'));
  const database = db.get().connectAs(APP_ROLE);
  ({ app } = await createTestApp({ database, storage: createLocalStorage(join(root, 'main')) }));
  ({ app: small } = await createTestApp({
    database,
    storage: createLocalStorage(join(root, 'small')),
    config: { knowledge: { maxFileBytes: 1024, storage: { kind: 'local', root: join(root, 'small') } } },
  }));
  owner = await createUserWithOrg(app, { role: 'editor' });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await small?.close();
  await db.teardown();
  await rm(root, { recursive: true, force: true });
});

describe('knowledge documents API', () => {
  it('uploads several files (multipart), ingests them inline, dedupes a re-upload', async () => {
    const kbId = await createBase(app, owner);
    const body = multipart([
      {
        name: 'guide.md',
        type: 'text/markdown',
        content: Buffer.from(`# Guide\n\n${'Sea otters use tools. '.repeat(30)}`),
      },
      { name: 'scan.pdf', type: 'application/pdf', content: minimalPdf([['Otters float on their backs.']]) },
      { name: 'broken.pdf', type: 'application/pdf', content: Buffer.from('%PDF-1.4 garbage') },
    ]);
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/knowledge-bases/${kbId}/documents`,
      headers: { ...owner.headers, ...body.headers },
      payload: body.payload,
    });
    expect(res.statusCode, res.body).toBe(201);
    const data = res.json().data as Array<Record<string, unknown>>;
    expect(data.map((d) => [d.name, d.file_type, d.status, d.duplicate, d.source_type])).toEqual([
      ['guide.md', 'markdown', 'pending', false, 'upload'],
      ['scan.pdf', 'pdf', 'pending', false, 'upload'],
      ['broken.pdf', 'pdf', 'pending', false, 'upload'],
    ]);
    const docs = await settled(app, owner, kbId, 3);
    const by = (name: string) => docs.find((d) => d.name === name)!;
    expect(by('guide.md')).toMatchObject({
      status: 'ready',
      error: null,
      content_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(by('guide.md').chunk_count as number).toBeGreaterThan(1);
    expect(by('scan.pdf')).toMatchObject({ status: 'ready', chunk_count: 1 });
    expect(by('broken.pdf')).toMatchObject({
      status: 'failed',
      chunk_count: 0,
      error: expect.stringMatching(/^The PDF could not be read/),
    });

    // The document is searchable through the other routes (keyword search needs no embedding).
    const query = await app.inject({
      method: 'POST',
      url: `/api/v1/knowledge-bases/${kbId}/query`,
      headers: owner.headers,
      payload: { query: 'otters float', mode: 'keyword' },
    });
    expect(query.statusCode, query.body).toBe(200);
    const names = (query.json().data as Array<{ document_name: string }>).map((r) => r.document_name);
    expect(names).toContain('scan.pdf');
    expect(names).not.toContain('broken.pdf');

    const again = multipart([
      {
        name: 'copy.md',
        type: 'text/markdown',
        content: Buffer.from(`# Guide\n\n${'Sea otters use tools. '.repeat(30)}`),
      },
    ]);
    const dup = await app.inject({
      method: 'POST',
      url: `/api/v1/knowledge-bases/${kbId}/documents`,
      headers: { ...owner.headers, ...again.headers },
      payload: again.payload,
    });
    expect(dup.statusCode).toBe(201);
    expect(dup.json().data).toEqual([
      expect.objectContaining({ id: by('guide.md').id, duplicate: true, name: 'guide.md' }),
    ]);
  });

  it('answers 413 naming the file over KNOWLEDGE_MAX_FILE_BYTES, 415 without multipart', async () => {
    const user = await createUserWithOrg(small);
    const kbId = await createBase(small, user);
    const body = multipart([
      { name: 'ok.txt', type: 'text/plain', content: Buffer.from('small') },
      { name: 'huge.txt', type: 'text/plain', content: Buffer.alloc(4096, 'x') },
    ]);
    const res = await small.inject({
      method: 'POST',
      url: `/api/v1/knowledge-bases/${kbId}/documents`,
      headers: { ...user.headers, ...body.headers },
      payload: body.payload,
    });
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json().error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'File "huge.txt" is larger than the 1 KiB limit per file.',
      details: { file: 'huge.txt', max_bytes: 1024 },
    });
    expect(await listAll(small, user, kbId)).toEqual([]);

    const json = await small.inject({
      method: 'POST',
      url: `/api/v1/knowledge-bases/${kbId}/documents`,
      headers: user.headers,
      payload: { files: [] },
    });
    expect(json.statusCode).toBe(415);
    expect(json.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('adds text and URL documents, validates bodies naming the field, deletes and re-indexes', async () => {
    const kbId = await createBase(app, owner);
    const text = await app.inject({
      method: 'POST',
      url: `/api/v1/knowledge-bases/${kbId}/documents/text`,
      headers: owner.headers,
      payload: { name: 'Notes', text: '## Heading\n\nSome pasted markdown.', format: 'markdown' },
    });
    expect(text.statusCode, text.body).toBe(201);
    expect(text.json()).toMatchObject({
      name: 'Notes',
      source_type: 'text',
      file_type: 'markdown',
      duplicate: false,
    });
    const docId = text.json().id as string;

    const badText = await app.inject({
      method: 'POST',
      url: `/api/v1/knowledge-bases/${kbId}/documents/text`,
      headers: owner.headers,
      payload: { name: 'Empty', text: '' },
    });
    expect(badText.statusCode).toBe(422);
    expect(badText.json().error.details.fields).toEqual([expect.objectContaining({ path: 'body.text' })]);

    const badUrl = await app.inject({
      method: 'POST',
      url: `/api/v1/knowledge-bases/${kbId}/documents/url`,
      headers: owner.headers,
      payload: { url: 'ftp://example.com/file' },
    });
    expect(badUrl.statusCode).toBe(422);
    expect(badUrl.json().error.details.fields).toEqual([expect.objectContaining({ path: 'body.url' })]);
    const privateUrl = await app.inject({
      method: 'POST',
      url: `/api/v1/knowledge-bases/${kbId}/documents/url`,
      headers: owner.headers,
      payload: { url: 'http://10.0.0.1/admin' },
    });
    expect(privateUrl.statusCode).toBe(422);
    expect(privateUrl.json().error.details.fields).toEqual([
      expect.objectContaining({ path: 'body.url', code: 'url_not_allowed' }),
    ]);

    await settled(app, owner, kbId, 1);
    const files = join(root, 'main', 'orgs', owner.org.id, 'kb', kbId);
    expect(await readdir(files)).toEqual([docId]);

    const reindexOne = await app.inject({
      method: 'POST',
      url: `/api/v1/knowledge-bases/${kbId}/documents/${docId}/reindex`,
      headers: owner.headers,
    });
    expect(reindexOne.statusCode, reindexOne.body).toBe(202);
    expect(reindexOne.json()).toEqual({ queued: 1, document_ids: [docId] });
    await settled(app, owner, kbId, 1);
    const reindexAll = await app.inject({
      method: 'POST',
      url: `/api/v1/knowledge-bases/${kbId}/reindex`,
      headers: owner.headers,
    });
    expect(reindexAll.json()).toEqual({ queued: 1, document_ids: [docId] });
    await settled(app, owner, kbId, 1);

    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/knowledge-bases/${kbId}/documents/${docId}`,
      headers: owner.headers,
    });
    expect(del.statusCode).toBe(204);
    expect(await readdir(files)).toEqual([]);
    expect(await listAll(app, owner, kbId)).toEqual([]);
    const gone = await app.inject({
      method: 'DELETE',
      url: `/api/v1/knowledge-bases/${kbId}/documents/${docId}`,
      headers: owner.headers,
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('DOCUMENT_NOT_FOUND');
  });

  it('lets viewers and knowledge:read keys list, but only knowledge:manage add or delete', async () => {
    const kbId = await createBase(app, owner);
    const viewer = await addMember(app, owner.org.id, 'viewer');
    const reader = await createApiKey(app, owner.org.id, ['knowledge:read']);
    const writer = await createApiKey(app, owner.org.id, ['knowledge:write']);
    const add = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/knowledge-bases/${kbId}/documents/text`,
        headers,
        payload: { name: 'x', text: `text ${Math.random()}` },
      });
    expect((await add(viewer.headers)).statusCode).toBe(403);
    expect((await add(reader.headers)).statusCode).toBe(403);
    expect((await add(writer.headers)).statusCode).toBe(201);
    for (const headers of [viewer.headers, reader.headers]) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/knowledge-bases/${kbId}/documents?limit=1`,
        headers,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().data).toHaveLength(1);
    }
    await settled(app, owner, kbId, 1);
  });
});
