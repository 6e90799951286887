import {
  type KnowledgeBase,
  type KnowledgeDocument,
  type KnowledgeDocumentStatus,
  knownEmbeddingModels,
} from '@agentflow/contracts';

export const documentStatusLabel: Record<KnowledgeDocumentStatus, string> = {
  pending: 'Queued',
  processing: 'Processing',
  ready: 'Ready',
  failed: 'Failed',
};

export const documentStatusClass: Record<KnowledgeDocumentStatus, string> = {
  pending: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200',
  processing: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  ready: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  failed: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
};

/** Still moving through ingestion: its row changes without anyone touching it. */
export const isInFlight = (doc: Pick<KnowledgeDocument, 'status'>) =>
  doc.status === 'pending' || doc.status === 'processing';

/** How often to poll a base's documents: every 1.5 s while any is in flight, else not at all. */
export const DOCUMENT_POLL_MS = 1_500;
export function documentsPollInterval(docs: readonly Pick<KnowledgeDocument, 'status'>[]): number | false {
  return docs.some(isInFlight) ? DOCUMENT_POLL_MS : false;
}

/** 1536 -> "1.5 KiB": binary units, as the API's size-limit messages say them. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = 'B';
  for (const u of ['KiB', 'MiB', 'GiB']) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

const fileTypeNames: Record<string, string> = {
  text: 'Text',
  markdown: 'Markdown',
  html: 'HTML',
  pdf: 'PDF',
  csv: 'CSV',
  json: 'JSON',
  docx: 'Word',
};
export function fileTypeLabel(type: string | null): string {
  if (!type) return '—';
  return fileTypeNames[type] ?? type;
}

/**
 * The embedding-model filter, applied to the loaded bases (the API filters by `search` only). '' is no
 * filter; the custom choice stands for every `openai-compatible:<model>`.
 */
export function matchesModel(base: Pick<KnowledgeBase, 'embedding_model'>, model: string): boolean {
  if (!model) return true;
  return base.embedding_model === model || (model === CUSTOM_MODEL && isCustomModel(base.embedding_model));
}

/** The model picker's "another model" choice: `openai-compatible:<model>` (an org Ollama or compatible model). */
export const CUSTOM_MODEL = 'openai-compatible';
const CUSTOM_PREFIX = `${CUSTOM_MODEL}:`;
export const isCustomModel = (model: string) => model.startsWith(CUSTOM_PREFIX);

export type ModelChoice = (typeof knownEmbeddingModels)[number] | typeof CUSTOM_MODEL;
export const modelChoices: readonly ModelChoice[] = [
  'local-hash-1536',
  'text-embedding-3-small',
  'text-embedding-3-large',
  'text-embedding-ada-002',
  CUSTOM_MODEL,
];
export const modelChoiceLabel: Record<ModelChoice, string> = {
  'local-hash-1536': 'Built-in, offline (local-hash-1536)',
  'text-embedding-3-small': 'OpenAI text-embedding-3-small',
  'text-embedding-3-large': 'OpenAI text-embedding-3-large',
  'text-embedding-ada-002': 'OpenAI text-embedding-ada-002',
  [CUSTOM_MODEL]: 'OpenAI-compatible model (Ollama, …)',
};

/** A stored model as the picker shows it: a choice, plus the model name for an OpenAI-compatible one. */
export function splitModel(model: string): { choice: ModelChoice; custom: string } {
  if (isCustomModel(model)) return { choice: CUSTOM_MODEL, custom: model.slice(CUSTOM_PREFIX.length) };
  if ((knownEmbeddingModels as readonly string[]).includes(model)) {
    return { choice: model as ModelChoice, custom: '' };
  }
  // The contract allows nothing else; should it ever, the name stays editable rather than lost.
  return { choice: CUSTOM_MODEL, custom: model };
}

/** The picker back to the stored value (the contract's embeddingModelSchema validates it). */
export function joinModel(choice: ModelChoice, custom: string): string {
  return choice === CUSTOM_MODEL ? `${CUSTOM_PREFIX}${custom.trim()}` : choice;
}

/** 1 -> "1 document", 3 -> "3 documents". */
export function plural(count: number, noun: string): string {
  return `${count.toLocaleString()} ${noun}${count === 1 ? '' : 's'}`;
}
