import { nodeCatalog } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import { handlerContext, testServices } from '../test-utils';
import { knowledgeSearchHandler } from './knowledge';
import type { KnowledgeSearch } from './types';

const kbId = '7b0c6c2e-3f7a-4a51-9d8e-0f4c1f0b9a11';
const config = (extra: Record<string, unknown> = {}) =>
  nodeCatalog.knowledge.search.configSchema.parse({
    knowledge_base_ids: [kbId],
    query: 'refunds?',
    ...extra,
  });

function recording(hits: Awaited<ReturnType<KnowledgeSearch['search']>>) {
  const calls: Array<Omit<Parameters<KnowledgeSearch['search']>[0], 'signal'>> = [];
  const knowledge: KnowledgeSearch = {
    async search({ signal: _signal, ...req }) {
      calls.push(req);
      return hits;
    },
  };
  return { knowledge, calls };
}

describe('knowledge.search handler', () => {
  it('passes the resolved query, bases, top_k, mode and min_score; outputs results and a prompt context', async () => {
    const { knowledge, calls } = recording([
      {
        content: 'Refunds take 14 days.',
        score: 0.91,
        document_name: 'policy.md',
        chunk_index: 3,
        document_id: 'd1',
      },
      { content: 'Shipping is free.', score: 0.4 },
    ]);
    const out = await knowledgeSearchHandler.run(
      handlerContext(config({ top_k: 2, mode: 'vector', min_score: 0.3 }), {
        services: testServices({ knowledge }),
      }),
    );
    expect(calls).toEqual([
      { knowledgeBaseIds: [kbId], query: 'refunds?', topK: 2, mode: 'vector', minScore: 0.3 },
    ]);
    expect(out.output).toEqual({
      query: 'refunds?',
      results: [
        expect.objectContaining({
          text: 'Refunds take 14 days.',
          score: 0.91,
          document_name: 'policy.md',
          chunk_index: 3,
        }),
        expect.objectContaining({ text: 'Shipping is free.', document_name: null, chunk_index: null }),
      ],
      context: '[1] (policy.md, chunk 3)\nRefunds take 14 days.\n\n[2]\nShipping is free.',
    });
  });

  it('defaults to hybrid and top_k 5', async () => {
    const { knowledge, calls } = recording([]);
    const out = await knowledgeSearchHandler.run(
      handlerContext(config(), { services: testServices({ knowledge }) }),
    );
    expect(calls[0]).toMatchObject({ topK: 5, mode: 'hybrid' });
    expect(out.output).toMatchObject({ results: [], context: '' });
  });

  it('fails clearly without a knowledge service or with an empty query', async () => {
    await expect(knowledgeSearchHandler.run(handlerContext(config()))).rejects.toMatchObject({
      code: 'KNOWLEDGE_UNAVAILABLE',
    });
    const { knowledge } = recording([]);
    await expect(
      knowledgeSearchHandler.run(
        handlerContext(config({ query: '   ' }), { services: testServices({ knowledge }) }),
      ),
    ).rejects.toMatchObject({ code: 'KNOWLEDGE_QUERY_EMPTY' });
  });

  it('rejects base ids that are not uuids (the only check before run time)', () => {
    const parsed = nodeCatalog.knowledge.search.configSchema.safeParse({
      knowledge_base_ids: ['kb1'],
      query: 'q',
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['knowledge_base_ids', 0]);
  });
});
