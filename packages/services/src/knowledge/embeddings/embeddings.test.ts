import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, createModelBodySchema } from '@agentflow/contracts';
import { APP_ROLE, type Db } from '@agentflow/db';
import { organizations } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { cosine, type FakeOpenAi, fakeEmbedding, startFakeOpenAi } from '@agentflow/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../context';
import { createModel } from '../../models/models';
import { createKeyring } from '../../secrets';
import {
  createEmbedder,
  createLocalEmbedder,
  DEFAULT_LOCAL_EMBEDDING_MODEL,
  EMBEDDING_DIMENSIONS,
  EmbeddingError,
  localHashEmbedding,
  resolveEmbedder,
} from './index';

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('local-hash-1536', () => {
  it('is deterministic, 1536 wide and L2-normalised', async () => {
    const embedder = createLocalEmbedder();
    expect(embedder.model).toBe(DEFAULT_LOCAL_EMBEDDING_MODEL);
    const [a, b] = await embedder.embed(['The quick brown fox', 'The quick brown fox']);
    expect(a).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(a).toEqual(b);
    expect(norm(a!)).toBeCloseTo(1, 10);
    expect(localHashEmbedding('')).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(norm(localHashEmbedding('!!!'))).toBeCloseTo(1, 10);
  });

  it('ranks lexically related text above unrelated text, and word order matters a little', () => {
    const q = localHashEmbedding('how do I reset my password');
    const related = localHashEmbedding('To reset your password, open settings and choose reset password.');
    const unrelated = localHashEmbedding('Quarterly revenue grew by twelve percent in the northern region.');
    expect(cosine(q, related)).toBeGreaterThan(cosine(q, unrelated) + 0.2);
    // Stems share character trigrams: "embedding" is closer to "embeddings" than to "banana".
    expect(cosine(localHashEmbedding('embedding'), localHashEmbedding('embeddings'))).toBeGreaterThan(
      cosine(localHashEmbedding('embedding'), localHashEmbedding('banana')),
    );
    expect(localHashEmbedding('dog bites man')).not.toEqual(localHashEmbedding('man bites dog'));
  });

  it('embeds thousands of chunks per second', async () => {
    const text = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(17); // ~1,000 chars
    const texts = Array.from({ length: 2000 }, (_, i) => `${i} ${text}`);
    const started = performance.now();
    const vectors = await createLocalEmbedder().embed(texts);
    const perSecond = texts.length / ((performance.now() - started) / 1000);
    expect(vectors).toHaveLength(2000);
    expect(perSecond).toBeGreaterThan(1000);
  });

  it('stops on an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(createLocalEmbedder().embed(['a'], controller.signal)).rejects.toThrow('stop');
  });
});

describe('OpenAI through the SDK (fake OpenAI server)', () => {
  let fake: FakeOpenAi;
  beforeAll(async () => {
    fake = await startFakeOpenAi({ apiKey: 'sk-test-embeddings-key', maxEmbeddingInputs: 3 });
  });
  afterAll(async () => {
    await fake?.close();
  });

  const connection = () => ({ kind: 'openai' as const, apiKey: 'sk-test-embeddings-key', baseUrl: fake.url });

  it('batches, asks for 1536 dimensions and keeps input order', async () => {
    fake.reset();
    const embedder = createEmbedder('text-embedding-3-small', { connection: connection(), batchSize: 3 });
    const texts = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta'];
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(7);
    for (const [i, text] of texts.entries()) {
      expect(cosine(vectors[i]!, fakeEmbedding(text, 1536))).toBeCloseTo(1, 5);
    }
    const bodies = fake.requests.map(
      (r) => r.body as { input: string[]; dimensions?: number; model: string },
    );
    expect(bodies.map((b) => b.input.length)).toEqual([3, 3, 1]);
    expect(bodies.every((b) => b.dimensions === 1536 && b.model === 'text-embedding-3-small')).toBe(true);
  });

  it('retries 429 and 5xx with backoff, then succeeds', async () => {
    fake.reset();
    fake.enqueueEmbeddings({ status: 429, retryAfter: 0 }, { status: 503 }, {});
    const embedder = createEmbedder('text-embedding-3-small', { connection: connection(), baseDelayMs: 5 });
    const [v] = await embedder.embed(['retry me']);
    expect(v).toHaveLength(1536);
    expect(fake.requests).toHaveLength(3);
  });

  it('gives up after the retries with a retryable EmbeddingError naming the status', async () => {
    fake.reset();
    fake.enqueueEmbeddings({ status: 500 }, { status: 500 }, { status: 500 });
    const embedder = createEmbedder('text-embedding-3-small', {
      connection: connection(),
      baseDelayMs: 1,
      maxRetries: 2,
    });
    const error = await embedder.embed(['x']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingError);
    expect((error as EmbeddingError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/HTTP 500/);
    expect(fake.requests).toHaveLength(3);
  });

  it('does not retry a 401 and never echoes the key', async () => {
    fake.reset();
    const embedder = createEmbedder('text-embedding-3-small', {
      connection: { kind: 'openai', apiKey: 'sk-wrong-key-1234567890', baseUrl: fake.url },
      baseDelayMs: 1,
    });
    const error = (await embedder.embed(['x']).catch((e: unknown) => e)) as EmbeddingError;
    expect(error).toBeInstanceOf(EmbeddingError);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/HTTP 401/);
    expect(error.message).not.toContain('sk-wrong-key-1234567890');
    expect(fake.requests).toHaveLength(1);
  });

  it('aborts a pending request', async () => {
    fake.reset();
    fake.enqueueEmbeddings({ delayMs: 5000 });
    const controller = new AbortController();
    const embedder = createEmbedder('text-embedding-3-small', { connection: connection() });
    const pending = embedder.embed(['slow'], controller.signal);
    setTimeout(() => controller.abort(new Error('cancelled by test')), 50);
    const started = Date.now();
    await expect(pending).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

/** An Ollama-style server: `/v1/embeddings` answering 768-dimensional float vectors (or too wide ones). */
async function startShortVectorServer(
  width: number,
): Promise<{ url: string; server: Server; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const body = JSON.parse(raw) as { input: string[]; model: string };
      bodies.push(body);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          object: 'list',
          model: body.model,
          data: body.input.map((text, index) => ({
            object: 'embedding',
            index,
            embedding: fakeEmbedding(text, width),
          })),
          usage: { prompt_tokens: 1, total_tokens: 1 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server, bodies };
}

describe('OpenAI-compatible (Ollama-style) endpoints', () => {
  it('zero-pads shorter vectors to 1536 and keeps cosine exact', async () => {
    const { url, server, bodies } = await startShortVectorServer(768);
    try {
      const embedder = createEmbedder('openai-compatible:nomic-embed-text', {
        connection: { kind: 'openai_compatible', baseUrl: url },
      });
      const [a, b] = await embedder.embed(['reset the password', 'password reset steps']);
      expect(a).toHaveLength(1536);
      expect(a!.slice(768).every((x) => x === 0)).toBe(true);
      const raw = [fakeEmbedding('reset the password', 768), fakeEmbedding('password reset steps', 768)];
      expect(cosine(a!, b!)).toBeCloseTo(cosine(raw[0]!, raw[1]!), 10);
      expect(bodies[0]).toMatchObject({ model: 'nomic-embed-text', encoding_format: 'float' });
      expect(bodies[0]).not.toHaveProperty('dimensions');
    } finally {
      server.close();
    }
  });

  it('refuses vectors wider than 1536', async () => {
    const { url, server } = await startShortVectorServer(2048);
    try {
      const embedder = createEmbedder('openai-compatible:wide', {
        connection: { kind: 'openai_compatible', baseUrl: url },
      });
      await expect(embedder.embed(['x'])).rejects.toThrow(/2048-dimensional vectors; at most 1536/);
    } finally {
      server.close();
    }
  });
});

describe('provider resolved from the org models', () => {
  let database: TestDatabase;
  let app: Db;
  let fake: FakeOpenAi;
  const keyring = createKeyring({ NODE_ENV: 'test' }, { warn: () => {} });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = database.connectAs(APP_ROLE).db;
    fake = await startFakeOpenAi({ apiKey: 'sk-org-openai-key-abcdef' });
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await database?.cleanup();
  });

  async function orgContext(): Promise<ServiceContext> {
    const suffix = randomUUID().slice(0, 8);
    const [org] = await database.db
      .insert(organizations)
      .values({ name: `Org ${suffix}`, slug: `org-${suffix}` })
      .returning({ id: organizations.id });
    return { db: app, orgId: org!.id, actor: { type: 'system', reason: 'embeddings test' } };
  }

  it('fails clearly when the org has no OpenAI key, and the local model needs none', async () => {
    const ctx = await orgContext();
    const error = await resolveEmbedder('text-embedding-3-small', { ctx, keyring }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('EMBEDDING_NOT_CONFIGURED');
    expect((error as AppError).message).toMatch(/no OpenAI API key is configured.*local-hash-1536/);
    // Lazy form: the same error on the first embed.
    await expect(createEmbedder('text-embedding-3-small', { ctx, keyring }).embed(['x'])).rejects.toThrow(
      /no OpenAI API key/,
    );
    const local = await createEmbedder(DEFAULT_LOCAL_EMBEDDING_MODEL, { ctx, keyring }).embed(['x']);
    expect(local[0]).toHaveLength(1536);
  });

  it("uses the org's OpenAI model key and endpoint", async () => {
    const ctx = await orgContext();
    await createModel(
      ctx,
      keyring,
      createModelBodySchema.parse({
        name: 'GPT',
        provider: 'openai',
        model_identifier: 'gpt-4o-mini',
        api_key: 'sk-org-openai-key-abcdef',
        endpoint_url: fake.url,
      }),
      // The fake listens on loopback: allow it as an operator would allow-list an internal host.
      { endpointPolicy: { allowCidrs: ['127.0.0.0/8'] } },
    );
    fake.reset();
    const embedder = createEmbedder('text-embedding-3-small', {
      ctx,
      keyring,
      endpointPolicy: { allowCidrs: ['127.0.0.0/8'] },
    });
    const [v] = await embedder.embed(['hello world']);
    expect(cosine(v!, fakeEmbedding('hello world', 1536))).toBeCloseTo(1, 5);
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-org-openai-key-abcdef');

    // Without the allow-list the SSRF guard refuses the loopback endpoint at call time.
    const guarded = createEmbedder('text-embedding-3-small', {
      ctx,
      keyring,
      endpointPolicy: {},
      maxRetries: 0,
    });
    await expect(guarded.embed(['x'])).rejects.toThrow();
  });

  it("uses an org's Ollama model for openai-compatible:<model>", async () => {
    const ctx = await orgContext();
    const { url, server } = await startShortVectorServer(384);
    try {
      await createModel(
        ctx,
        keyring,
        createModelBodySchema.parse({
          name: 'Ollama embed',
          provider: 'ollama',
          model_identifier: 'all-minilm',
          endpoint_url: url,
        }),
        { endpointPolicy: { allowCidrs: ['127.0.0.0/8'] } },
      );
      const [v] = await createEmbedder('openai-compatible:all-minilm', { ctx, keyring }).embed(['x y']);
      expect(v).toHaveLength(1536);
      expect(v!.slice(384).every((x) => x === 0)).toBe(true);
      await expect(resolveEmbedder('openai-compatible:missing', { ctx, keyring })).rejects.toThrow(
        /no active Ollama or OpenAI-compatible model "missing"/,
      );
    } finally {
      server.close();
    }
  });
});
