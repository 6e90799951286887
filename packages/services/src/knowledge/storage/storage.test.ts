import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalStorage,
  createS3Storage,
  type ObjectStorage,
  StorageNotFoundError,
  storageConfigFromEnv,
} from './index';

/**
 * A minimal S3-compatible server (path style): PutObject, GetObject, DeleteObject on `/<bucket>/<key>`,
 * answering S3's XML errors. It requires a SigV4 Authorization header for the configured access key.
 */
async function startFakeS3(bucket: string, accessKeyId: string) {
  const objects = new Map<string, { body: Buffer; contentType: string | undefined }>();
  const requests: Array<{ method: string; path: string }> = [];
  const read = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });
  const xmlError = (code: string, message: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method ?? '', path: url.pathname });
    const body = await read(req);
    if (!String(req.headers.authorization ?? '').includes(`Credential=${accessKeyId}/`)) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      return res.end(xmlError('AccessDenied', 'Access Denied'));
    }
    const [, b, ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (b !== bucket) {
      res.writeHead(404, { 'content-type': 'application/xml' });
      return res.end(xmlError('NoSuchBucket', 'The specified bucket does not exist'));
    }
    if (req.method === 'PUT') {
      objects.set(key, { body, contentType: req.headers['content-type'] });
      res.writeHead(200, { etag: '"fake"' });
      return res.end();
    }
    if (req.method === 'GET') {
      const object = objects.get(key);
      if (!object) {
        res.writeHead(404, { 'content-type': 'application/xml' });
        return res.end(xmlError('NoSuchKey', 'The specified key does not exist.'));
      }
      res.writeHead(200, {
        'content-type': object.contentType ?? 'application/octet-stream',
        'content-length': object.body.length,
      });
      return res.end(object.body);
    }
    if (req.method === 'DELETE') {
      objects.delete(key);
      res.writeHead(204);
      return res.end();
    }
    res.writeHead(405);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function roundTrip(storage: ObjectStorage) {
  const key = 'orgs/o1/kb/k1/doc-1';
  const bytes = Buffer.from([0, 1, 2, 255, ...Buffer.from('hello %PDF')]);
  await storage.put(key, bytes, { contentType: 'application/pdf' });
  expect(Buffer.compare(await storage.get(key), bytes)).toBe(0);
  await storage.put(key, Buffer.from('replaced'));
  expect((await storage.get(key)).toString()).toBe('replaced');
  await storage.delete(key);
  await expect(storage.get(key)).rejects.toBeInstanceOf(StorageNotFoundError);
  await storage.delete(key); // idempotent
  await expect(storage.put('../escape', Buffer.from('x'))).rejects.toThrow(/Invalid storage key/);
  await expect(storage.put('/abs', Buffer.from('x'))).rejects.toThrow(/Invalid storage key/);
}

describe('local storage', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'af-storage-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('puts, gets, replaces and deletes files under its root only', async () => {
    const storage = createLocalStorage(join(root, 'files'));
    await roundTrip(storage);
    // Nothing escaped, no temp files left behind.
    expect(await readdir(root)).toEqual(['files']);
    expect(await readdir(join(root, 'files/orgs/o1/kb/k1'))).toEqual([]);
  });
});

describe('S3 storage against a fake S3 server', () => {
  let s3: Awaited<ReturnType<typeof startFakeS3>>;
  beforeAll(async () => {
    s3 = await startFakeS3('agentflow-docs', 'AKIAFAKE');
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('speaks PutObject / GetObject / DeleteObject with path-style addressing', async () => {
    const storage = createS3Storage({
      bucket: 'agentflow-docs',
      endpoint: s3.endpoint,
      region: 'us-east-1',
      accessKeyId: 'AKIAFAKE',
      secretAccessKey: 'secret',
      forcePathStyle: true,
    });
    expect(storage.kind).toBe('s3');
    await roundTrip(storage);
    expect(s3.requests.map((r) => `${r.method} ${r.path}`)).toContain(
      'PUT /agentflow-docs/orgs/o1/kb/k1/doc-1',
    );
    expect(s3.objects.size).toBe(0);
  });

  it('surfaces the server refusing the credentials', async () => {
    const storage = createS3Storage({
      bucket: 'agentflow-docs',
      endpoint: s3.endpoint,
      accessKeyId: 'WRONG',
      secretAccessKey: 'secret',
      forcePathStyle: true,
    });
    await expect(storage.put('a/b', Buffer.from('x'))).rejects.toThrow(/Access Denied/);
  });

  it('is chosen from the environment when S3_BUCKET is set', () => {
    expect(storageConfigFromEnv({}, '/data')).toEqual({ kind: 'local', root: '/data/files' });
    expect(
      storageConfigFromEnv(
        { S3_BUCKET: 'b', S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'true', S3_REGION: '' },
        '/data',
      ),
    ).toMatchObject({
      kind: 's3',
      bucket: 'b',
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
      region: undefined,
    });
  });
});
