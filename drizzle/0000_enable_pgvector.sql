-- drizzle-kit never emits CREATE EXTENSION. pgvector is not a trusted extension: on a server where the
-- migrating role is not a superuser, create it once as a superuser (or in template1) beforehand.
CREATE EXTENSION IF NOT EXISTS vector;
