import {
  type CreateKnowledgeBaseBody,
  createKnowledgeBaseBodySchema,
  type KnowledgeBase,
  type UpdateKnowledgeBaseBody,
} from '@agentflow/contracts';
import type { Validated } from '@/components/form/use-form-mutation';
import { zodFieldErrors } from '@/lib/errors';
import { joinModel, type ModelChoice, splitModel } from './format';

/** What the base form holds: inputs as typed (numbers still text). */
export interface BaseFormValues {
  name: string;
  description: string;
  modelChoice: ModelChoice;
  customModel: string;
  chunkSize: string;
  chunkOverlap: string;
}

export type BaseFormResult = Validated<CreateKnowledgeBaseBody>;

/** An emptied number field is an error, not the schema's default: the person cleared it on purpose. */
const numberOf = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/**
 * Validates the form with the contract's create schema, so the browser says what the API would (and
 * in the same words), keyed by the body's field names: name, description, embedding_model,
 * chunk_size, chunk_overlap.
 */
export function readBaseForm(values: BaseFormValues): BaseFormResult {
  const description = values.description.trim();
  const parsed = createKnowledgeBaseBodySchema.safeParse({
    name: values.name,
    description: description === '' ? null : values.description,
    embedding_model: joinModel(values.modelChoice, values.customModel),
    chunk_size: numberOf(values.chunkSize),
    chunk_overlap: numberOf(values.chunkOverlap),
  });
  if (!parsed.success) {
    const errors = zodFieldErrors(parsed.error);
    if (values.chunkSize.trim() === '') errors.chunk_size = 'is required';
    if (values.chunkOverlap.trim() === '') errors.chunk_overlap = 'is required';
    return { ok: false, errors };
  }
  return { ok: true, body: parsed.data };
}

/** Only what changed against the stored base: the PUT body (empty = nothing to save). */
export function settingsChanges(base: KnowledgeBase, body: CreateKnowledgeBaseBody): UpdateKnowledgeBaseBody {
  const changes: UpdateKnowledgeBaseBody = {};
  if (body.name !== base.name) changes.name = body.name;
  if ((body.description ?? null) !== base.description) changes.description = body.description ?? null;
  if (body.embedding_model !== base.embedding_model) changes.embedding_model = body.embedding_model;
  if (body.chunk_size !== base.chunk_size) changes.chunk_size = body.chunk_size;
  if (body.chunk_overlap !== base.chunk_overlap) changes.chunk_overlap = body.chunk_overlap;
  return changes;
}

/** Changes that leave existing chunks on the old settings until the documents are re-indexed. */
export function needsReindex(changes: UpdateKnowledgeBaseBody): boolean {
  return (
    changes.embedding_model !== undefined ||
    changes.chunk_size !== undefined ||
    changes.chunk_overlap !== undefined
  );
}

/** The form filled with a stored base (the settings dialog). */
export function formValuesOf(base: KnowledgeBase): BaseFormValues {
  const { choice, custom } = splitModel(base.embedding_model);
  return {
    name: base.name,
    description: base.description ?? '',
    modelChoice: choice,
    customModel: custom,
    chunkSize: String(base.chunk_size),
    chunkOverlap: String(base.chunk_overlap),
  };
}
