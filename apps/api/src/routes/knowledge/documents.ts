import {
  AppError,
  addTextDocumentBodySchema,
  addUrlDocumentBodySchema,
  knowledgeBaseParamsSchema,
  knowledgeDocumentPageSchema,
  knowledgeDocumentParamsSchema,
  knowledgeDocumentSchema,
  listKnowledgeDocumentsQuerySchema,
  reindexResponseSchema,
  uploadedKnowledgeDocumentSchema,
  uploadKnowledgeDocumentsResponseSchema,
} from '@agentflow/contracts';
import {
  addTextDocument,
  addUrlDocument,
  assertKnowledgeBaseExists,
  DEFAULT_MAX_FILE_BYTES,
  type DocumentServiceDeps,
  deleteDocument,
  fileTooLarge,
  listDocuments,
  reindexDocument,
  reindexKnowledgeBase,
  type UploadFile,
  uploadDocuments,
} from '@agentflow/services';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, serviceContext } from '../../auth';
import { userSecurity } from '../org/openapi';

export interface KnowledgeDocumentRoutesOptions {
  /** Where uploaded files are stored, the queue ingestion jobs go to, the size limit and URL policy. */
  documents: DocumentServiceDeps;
}

/** Files per upload request. */
const MAX_FILES = 20;

/**
 * Documents of a knowledge base (issue 7). Reading: `knowledge:view` (API keys `knowledge:read`);
 * adding, deleting and re-indexing: `knowledge:manage` (owner/admin/editor; API keys `knowledge:write`).
 * Another org's base or document is 404. Uploads are multipart/form-data with one or more file parts
 * (any field name, e.g. `files`); a file over KNOWLEDGE_MAX_FILE_BYTES makes the request 413.
 */
export const knowledgeDocumentRoutes: FastifyPluginAsyncZod<KnowledgeDocumentRoutesOptions> = async (
  app,
  options,
) => {
  const tags = ['knowledge'];
  const security = userSecurity;
  const deps = options.documents;
  const maxFileBytes = deps.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  await app.register(multipart, {
    limits: {
      fileSize: maxFileBytes,
      files: MAX_FILES,
      fields: 20,
      fieldSize: 64 * 1024,
      parts: MAX_FILES + 20,
    },
  });

  app.post(
    '/knowledge-bases/:id/documents',
    {
      onRequest: authorize('knowledge:manage'),
      // The multipart stream is bounded per file (limits above); this bounds the whole request.
      bodyLimit: maxFileBytes * MAX_FILES + 1024 * 1024,
      schema: {
        tags,
        summary: 'Upload files (multipart/form-data, several at once); each becomes a pending document',
        description:
          'Formats: text, Markdown, HTML, PDF, CSV, JSON, DOCX. The same content uploaded again into the same base ' +
          'returns the existing document with `duplicate: true`. Unsupported or corrupt files fail that document ' +
          '(status `failed`, `error`), not the request.',
        security,
        consumes: ['multipart/form-data'],
        params: knowledgeBaseParamsSchema,
        response: { 201: uploadKnowledgeDocumentsResponseSchema },
      },
    },
    async (request, reply) => {
      const ctx = serviceContext(request);
      // Before reading the body: another org's base is a 404 whatever was sent.
      await assertKnowledgeBaseExists(ctx, request.params.id);
      if (!request.isMultipart()) {
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          'Send the files as multipart/form-data (file parts, e.g. "files").',
          {
            fields: [
              { path: 'body.files', message: 'multipart/form-data with at least one file is required' },
            ],
          },
        );
      }
      const files: UploadFile[] = [];
      let current = '';
      try {
        for await (const part of request.parts()) {
          if (part.type !== 'file') continue;
          current = part.filename || 'untitled';
          const bytes = await part.toBuffer();
          files.push({ name: current, mimeType: part.mimetype, bytes });
        }
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE') throw fileTooLarge(current, maxFileBytes);
        if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') {
          throw new AppError('PAYLOAD_TOO_LARGE', `At most ${MAX_FILES} files per upload.`, {
            max_files: MAX_FILES,
          });
        }
        if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || code === 'FST_PROTO_VIOLATION') {
          throw new AppError('BAD_REQUEST', 'The multipart body is malformed.', {});
        }
        throw error;
      }
      const data = await uploadDocuments(ctx, request.params.id, files, deps);
      return reply.code(201).send({ data });
    },
  );

  app.post(
    '/knowledge-bases/:id/documents/url',
    {
      onRequest: authorize('knowledge:manage'),
      schema: {
        tags,
        summary: 'Add a web page or file by URL (fetched through the SSRF guard by the ingestion job)',
        security,
        params: knowledgeBaseParamsSchema,
        body: addUrlDocumentBodySchema,
        response: { 201: knowledgeDocumentSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await addUrlDocument(serviceContext(request), request.params.id, request.body, deps)),
  );

  app.post(
    '/knowledge-bases/:id/documents/text',
    {
      onRequest: authorize('knowledge:manage'),
      bodyLimit: maxFileBytes + 64 * 1024,
      schema: {
        tags,
        summary: 'Add pasted text or Markdown as a document',
        security,
        params: knowledgeBaseParamsSchema,
        body: addTextDocumentBodySchema,
        response: { 201: uploadedKnowledgeDocumentSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await addTextDocument(serviceContext(request), request.params.id, request.body, deps)),
  );

  app.get(
    '/knowledge-bases/:id/documents',
    {
      onRequest: authorize('knowledge:view'),
      schema: {
        tags,
        summary: 'Documents of a knowledge base, newest first (status, error, chunk count)',
        security,
        params: knowledgeBaseParamsSchema,
        querystring: listKnowledgeDocumentsQuerySchema,
        response: { 200: knowledgeDocumentPageSchema },
      },
    },
    async (request) => listDocuments(serviceContext(request), request.params.id, request.query),
  );

  app.delete(
    '/knowledge-bases/:id/documents/:docId',
    {
      onRequest: authorize('knowledge:manage'),
      schema: {
        tags,
        summary: 'Delete a document with its chunks and its stored file',
        security,
        params: knowledgeDocumentParamsSchema,
        response: { 204: z.null().describe('Deleted') },
      },
    },
    async (request, reply) => {
      await deleteDocument(serviceContext(request), request.params.id, request.params.docId, deps);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/knowledge-bases/:id/documents/:docId/reindex',
    {
      onRequest: authorize('knowledge:manage'),
      schema: {
        tags,
        summary: "Re-ingest one document with the base's current chunking and embedding model",
        security,
        params: knowledgeDocumentParamsSchema,
        response: { 202: reindexResponseSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(await reindexDocument(serviceContext(request), request.params.id, request.params.docId, deps)),
  );

  app.post(
    '/knowledge-bases/:id/reindex',
    {
      onRequest: authorize('knowledge:manage'),
      schema: {
        tags,
        summary: 'Re-ingest every document of the base (after a chunk size or embedding model change)',
        security,
        params: knowledgeBaseParamsSchema,
        response: { 202: reindexResponseSchema },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await reindexKnowledgeBase(serviceContext(request), request.params.id, deps)),
  );
};
