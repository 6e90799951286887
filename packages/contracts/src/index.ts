export * from './auth';
export * from './definition';
export * from './errors';
export * from './health';
export * from './org';
export * from './pagination';
export * from './roles';
