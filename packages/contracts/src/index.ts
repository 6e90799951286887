export * from './errors';
export * from './health';
export * from './pagination';
export * from './roles';
