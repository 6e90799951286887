import { z } from 'zod';
import { modelRefSchema, nodeSettingsShape, objectJsonSchema, uniqueStrings } from '../common';

/** Every ai node: a model, prompts (templates) and sampling settings. */
const aiBase = {
  ...nodeSettingsShape,
  model: modelRefSchema,
  system_prompt: z.string().max(20_000).optional(),
  user_prompt: z.string().min(1).max(100_000),
  temperature: z.number().min(0).max(2).default(0.7),
  max_tokens: z.number().int().min(1).max(200_000).default(1024),
};

export const aiChatConfigSchema = z.object(aiBase);

export const aiSummarizeConfigSchema = z.object({
  ...aiBase,
  /** A target length the prompt asks for; the model may not honour it exactly. */
  max_words: z.number().int().min(5).max(5000).optional(),
});

/** The node's output `label` is one of `labels`; each label is also a branch handle. */
export const aiClassifyConfigSchema = z.object({
  ...aiBase,
  temperature: z.number().min(0).max(2).default(0),
  labels: z.array(z.string().min(1).max(100)).min(2).max(50).refine(uniqueStrings, 'Labels must be unique'),
});

/** The model's answer is parsed as JSON and validated against `json_schema` (type object). */
export const aiExtractConfigSchema = z.object({
  ...aiBase,
  temperature: z.number().min(0).max(2).default(0),
  json_schema: objectJsonSchema,
});
