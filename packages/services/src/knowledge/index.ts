export * from './bases';
export * from './embeddings';
export * from './ingest';
export * from './parsers';
export * from './search';
export * from './storage';
