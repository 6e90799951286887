import {
  type CreateKnowledgeBaseBody,
  type KnowledgeQueryBody,
  knowledgeBaseListQuerySchema,
  type UpdateKnowledgeBaseBody,
} from '@agentflow/contracts';
import type { AddTextDocumentInput, AddUrlDocumentInput } from '@agentflow/sdk';
import { client, withSession } from '@/lib/api';

/** The SDK's knowledge methods behind the web app's session (refresh on an expired token, or /login). */
const kb = client.knowledge;

export const PAGE_SIZE = 20;
/** Documents per page: a base's table shows more at once than the lists of whole resources. */
export const DOCUMENT_PAGE_SIZE = 50;

/** The API's limit for a search (longer is a 422): the search box stops there. */
export const SEARCH_MAX_LENGTH = knowledgeBaseListQuerySchema.shape.search.unwrap().maxLength ?? undefined;

/** A page of bases; a non-blank `search` is matched by the API in name and description. */
export const listBases = (search: string, cursor?: string) =>
  withSession(() => kb.listBases({ limit: PAGE_SIZE, cursor, search: search.trim() || undefined }));
export const getBase = (id: string) => withSession(() => kb.getBase(id));
export const createBase = (body: CreateKnowledgeBaseBody) => withSession(() => kb.createBase(body));
export const updateBase = (id: string, body: UpdateKnowledgeBaseBody) =>
  withSession(() => kb.updateBase(id, body));
export const deleteBase = (id: string) => withSession(() => kb.deleteBase(id));

export const listDocuments = (id: string, cursor?: string) =>
  withSession(() => kb.listDocuments(id, { limit: DOCUMENT_PAGE_SIZE, cursor }));
/** One file per request: a file over the size limit then fails alone, not the whole selection. */
export const uploadDocument = (id: string, file: File) =>
  withSession(() => kb.uploadDocuments(id, [file])).then((docs) => docs[0]);
export const addUrlDocument = (id: string, body: AddUrlDocumentInput) =>
  withSession(() => kb.addUrlDocument(id, body));
export const addTextDocument = (id: string, body: AddTextDocumentInput) =>
  withSession(() => kb.addTextDocument(id, body));
export const deleteDocument = (id: string, documentId: string) =>
  withSession(() => kb.deleteDocument(id, documentId));
export const reindexDocument = (id: string, documentId: string) =>
  withSession(() => kb.reindexDocument(id, documentId));
export const reindexBase = (id: string) => withSession(() => kb.reindexBase(id));

export const queryBase = (id: string, body: KnowledgeQueryBody) => withSession(() => kb.query(id, body));
