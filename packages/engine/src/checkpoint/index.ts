export {
  createPostgresCheckpointer,
  PostgresCheckpointer,
  type PostgresCheckpointerOptions,
} from './postgres';
