export {
  type CheckpointStore,
  createPostgresCheckpointer,
  PostgresCheckpointer,
  type PostgresCheckpointerOptions,
} from './postgres';
export {
  type CheckpointPutRow,
  type CheckpointWritesRows,
  checkpointPutStatements,
  checkpointWritesStatement,
  oneStatement,
} from './rows';
