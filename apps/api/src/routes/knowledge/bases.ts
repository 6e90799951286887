import {
  createKnowledgeBaseBodySchema,
  knowledgeBaseListQuerySchema,
  knowledgeBaseParamsSchema,
  knowledgeBaseSchema,
  pageSchema,
  updateKnowledgeBaseBodySchema,
} from '@agentflow/contracts';
import {
  createKnowledgeBase,
  type DeleteKnowledgeBaseOptions,
  deleteKnowledgeBase,
  getKnowledgeBase,
  listKnowledgeBases,
  updateKnowledgeBase,
} from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, serviceContext } from '../../auth';
import { userSecurity } from '../org/openapi';

export interface KnowledgeBaseRoutesOptions {
  /** Removes the stored files of a deleted base's documents (the document storage). */
  removeFiles?: DeleteKnowledgeBaseOptions['removeFiles'];
}

/**
 * Knowledge bases (issue 7): reading needs membership (`knowledge:view`; API keys `knowledge:read`),
 * changing needs owner/admin/editor (`knowledge:manage`; API keys `knowledge:write`). Another org's
 * base is 404 KNOWLEDGE_BASE_NOT_FOUND.
 */
export const knowledgeBaseRoutes: FastifyPluginAsyncZod<KnowledgeBaseRoutesOptions> = async (
  app,
  options,
) => {
  const tags = ['knowledge'];
  const security = userSecurity;

  app.get(
    '/knowledge-bases',
    {
      onRequest: authorize('knowledge:view'),
      schema: {
        tags,
        summary:
          "The org's knowledge bases, newest first, with document and chunk counts; `search` matches name or description",
        security,
        querystring: knowledgeBaseListQuerySchema,
        response: { 200: pageSchema(knowledgeBaseSchema) },
      },
    },
    async (request) => listKnowledgeBases(serviceContext(request), request.query),
  );

  app.post(
    '/knowledge-bases',
    {
      onRequest: authorize('knowledge:manage'),
      schema: {
        tags,
        summary: 'Create a knowledge base (embedding model, chunk size and overlap)',
        security,
        body: createKnowledgeBaseBodySchema,
        response: { 201: knowledgeBaseSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createKnowledgeBase(serviceContext(request), request.body)),
  );

  app.get(
    '/knowledge-bases/:id',
    {
      onRequest: authorize('knowledge:view'),
      schema: {
        tags,
        summary: 'A knowledge base',
        security,
        params: knowledgeBaseParamsSchema,
        response: { 200: knowledgeBaseSchema },
      },
    },
    async (request) => getKnowledgeBase(serviceContext(request), request.params.id),
  );

  app.put(
    '/knowledge-bases/:id',
    {
      onRequest: authorize('knowledge:manage'),
      schema: {
        tags,
        summary: 'Change a knowledge base (new settings apply to documents ingested afterwards)',
        security,
        params: knowledgeBaseParamsSchema,
        body: updateKnowledgeBaseBodySchema,
        response: { 200: knowledgeBaseSchema },
      },
    },
    async (request) => updateKnowledgeBase(serviceContext(request), request.params.id, request.body),
  );

  app.delete(
    '/knowledge-bases/:id',
    {
      onRequest: authorize('knowledge:manage'),
      schema: {
        tags,
        summary: 'Delete a knowledge base with its documents, chunks and stored files',
        security,
        params: knowledgeBaseParamsSchema,
        response: { 204: z.null().describe('Deleted') },
      },
    },
    async (request, reply) => {
      await deleteKnowledgeBase(serviceContext(request), request.params.id, {
        removeFiles: options.removeFiles,
      });
      return reply.code(204).send(null);
    },
  );
};
