export * from './documents';
export * from './pipeline';
export { type ChunkDraft, estimateTokens, type SplitOptions, splitDocument } from './split';
