export * from './documents';
export * from './pipeline';
export {
  type IngestionRecoveryDeps,
  type IngestionSweepResult,
  type RecoverPendingDocumentsOptions,
  recoverPendingDocuments,
  sweepExpiredIngestions,
} from './recovery';
export {
  createIngestionRecovery,
  DEFAULT_INGESTION_SWEEP_INTERVAL_MS,
  type IngestionRecovery,
  type IngestionRecoveryOptions,
  type IngestionRecoveryQueue,
} from './runtime';
export { type ChunkDraft, estimateTokens, type SplitOptions, splitDocument } from './split';
export { DEFAULT_INGESTION_LEASE_MS, ingestionJobId } from './state';
