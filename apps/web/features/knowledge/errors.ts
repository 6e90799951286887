import { AgentFlowError } from '@agentflow/sdk';
import { describeError } from '@/lib/errors';

/** lib/errors' plain words, plus the knowledge codes this area meets. */
const knowledgeWords: Record<string, string> = {
  KNOWLEDGE_BASE_NOT_FOUND: 'This knowledge base no longer exists, or belongs to another organization.',
  DOCUMENT_NOT_FOUND: 'This document no longer exists (perhaps someone deleted it just now).',
  UNSUPPORTED_MEDIA_TYPE: 'The files could not be sent as an upload. Try choosing them again.',
};

/**
 * Codes whose API message is already the plain answer: the size limit names the file and the limit,
 * an unusable embedding model says why (no OpenAI key, unknown org model).
 */
const ownWords = new Set(['PAYLOAD_TOO_LARGE', 'EMBEDDING_NOT_CONFIGURED']);

export function describeKnowledgeError(err: unknown): string {
  if (err instanceof AgentFlowError) {
    if (knowledgeWords[err.code]) return knowledgeWords[err.code] as string;
    if (ownWords.has(err.code)) return err.message;
  }
  return describeError(err);
}
