import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type KnowledgeBaseRoutesOptions, knowledgeBaseRoutes } from './bases';
import { type KnowledgeDocumentRoutesOptions, knowledgeDocumentRoutes } from './documents';
import { type KnowledgeQueryRoutesOptions, knowledgeQueryRoutes } from './query';

export interface KnowledgeRoutesOptions
  extends KnowledgeBaseRoutesOptions,
    KnowledgeQueryRoutesOptions,
    KnowledgeDocumentRoutesOptions {}

/** Knowledge bases, their documents and retrieval (issue 7). */
export const knowledgeRoutes: FastifyPluginAsyncZod<KnowledgeRoutesOptions> = async (app, options) => {
  await app.register(knowledgeBaseRoutes, options);
  await app.register(knowledgeQueryRoutes, options);
  await app.register(knowledgeDocumentRoutes, options);
};
