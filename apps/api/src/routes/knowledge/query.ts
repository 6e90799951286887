import {
  knowledgeBaseParamsSchema,
  knowledgeMultiQueryBodySchema,
  knowledgeQueryBodySchema,
  knowledgeQueryResponseSchema,
} from '@agentflow/contracts';
import { createQueryEmbedder, type EndpointPolicy, searchKnowledge } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authorize, serviceContext } from '../../auth';
import { userSecurity } from '../org/openapi';

export interface KnowledgeQueryRoutesOptions {
  /** SSRF allow-list for org model endpoints (query embeddings of `openai-compatible:` bases). */
  endpointPolicy?: EndpointPolicy | undefined;
}

/**
 * Retrieval (issue 7): vector (HNSW cosine), keyword (full text) or hybrid (RRF) over one base or
 * several of the org's bases. Reading: `knowledge:view` (API keys `knowledge:read`). An unknown or
 * another org's base id is 404 KNOWLEDGE_BASE_NOT_FOUND naming it.
 */
export const knowledgeQueryRoutes: FastifyPluginAsyncZod<KnowledgeQueryRoutesOptions> = async (
  app,
  options,
) => {
  const tags = ['knowledge'];
  const security = userSecurity;
  const depsFor = (ctx: ReturnType<typeof serviceContext>) => ({
    embedQuery: createQueryEmbedder(ctx, { keyring: app.keyring, endpointPolicy: options.endpointPolicy }),
  });

  app.post(
    '/knowledge-bases/query',
    {
      onRequest: authorize('knowledge:view'),
      schema: {
        tags,
        summary: 'Search several knowledge bases at once',
        security,
        body: knowledgeMultiQueryBodySchema,
        response: { 200: knowledgeQueryResponseSchema },
      },
    },
    async (request) => {
      const ctx = serviceContext(request);
      const { body } = request;
      const data = await searchKnowledge(ctx, depsFor(ctx), {
        knowledgeBaseIds: body.kb_ids,
        query: body.query,
        topK: body.top_k,
        mode: body.mode,
        minScore: body.min_score,
      });
      return { data, mode: body.mode };
    },
  );

  app.post(
    '/knowledge-bases/:id/query',
    {
      onRequest: authorize('knowledge:view'),
      schema: {
        tags,
        summary: 'Search a knowledge base',
        security,
        params: knowledgeBaseParamsSchema,
        body: knowledgeQueryBodySchema,
        response: { 200: knowledgeQueryResponseSchema },
      },
    },
    async (request) => {
      const ctx = serviceContext(request);
      const { body } = request;
      const data = await searchKnowledge(ctx, depsFor(ctx), {
        knowledgeBaseIds: [request.params.id],
        query: body.query,
        topK: body.top_k,
        mode: body.mode,
        minScore: body.min_score,
      });
      return { data, mode: body.mode };
    },
  );
};
