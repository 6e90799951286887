import { nodeCatalog } from '@agentflow/contracts';
import { EngineError } from '../errors';
import { stringify } from '../variables/resolve';
import { defineHandler, type EngineServices, type KnowledgeHit, type KnowledgeSearch } from './types';

/** What a step's output (and an agent tool's answer) holds of each hit. */
export function presentHit(hit: KnowledgeHit) {
  return {
    text: hit.content,
    score: hit.score,
    document_name: hit.document_name ?? null,
    document_id: hit.document_id ?? null,
    chunk_index: hit.chunk_index ?? null,
    chunk_id: hit.chunk_id ?? null,
    knowledge_base_id: hit.knowledge_base_id ?? null,
    metadata: hit.metadata ?? {},
  };
}

/** The hits as numbered passages with their source, ready to paste into a prompt. */
export function contextText(hits: readonly KnowledgeHit[]): string {
  return hits
    .map((h, i) => {
      const source = h.document_name
        ? ` (${h.document_name}${h.chunk_index === undefined ? '' : `, chunk ${h.chunk_index}`})`
        : '';
      return `[${i + 1}]${source}\n${h.content}`;
    })
    .join('\n\n');
}

export function requireKnowledge(services: EngineServices, what: string): KnowledgeSearch {
  if (!services.knowledge) {
    throw new EngineError(
      'KNOWLEDGE_UNAVAILABLE',
      `${what}: knowledge-base search is not available in this run`,
    );
  }
  return services.knowledge;
}

/**
 * knowledge.search: the resolved `query` -> the top_k chunks of the bases (the run's org only; an
 * unknown or foreign base fails the step with KNOWLEDGE_BASE_NOT_FOUND). Output
 * `{ query, results: [...], context }`; `context` is what a later prompt usually wants.
 */
export const knowledgeSearchHandler = defineHandler({
  type: 'knowledge',
  subtype: 'search',
  configSchema: nodeCatalog.knowledge.search.configSchema,
  defaultTimeoutMs: 30_000,
  async run({ config, nodeId, services, signal }) {
    const knowledge = requireKnowledge(services, `Knowledge search "${nodeId}"`);
    const query = stringify(config.query).trim();
    if (!query) {
      throw new EngineError(
        'KNOWLEDGE_QUERY_EMPTY',
        `Knowledge search "${nodeId}": the query resolved to nothing`,
      );
    }
    const hits = await knowledge.search({
      knowledgeBaseIds: config.knowledge_base_ids,
      query,
      topK: config.top_k,
      mode: config.mode,
      ...(config.min_score === undefined ? {} : { minScore: config.min_score }),
      signal,
    });
    return { output: { query, results: hits.map(presentHit), context: contextText(hits) } };
  },
});
