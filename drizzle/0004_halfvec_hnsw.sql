-- The HNSW index at half precision (ADR 0007): 391 MB instead of 781 MB for the bench's 100,000
-- chunks, built in ~50 s instead of ~120 s, queries as fast or faster at the same recall. m 16,
-- ef_construction 128: an insert's cost grows with m (each new node rewrites up to 2·m neighbour
-- lists), hardly with ef_construction; 128 keeps every topic cluster reachable where pgvector's default
-- of 64 did not always. Queries must order by embedding::halfvec(1536) to use it. Rebuilding reads
-- every embedding: on a large table this migration takes minutes and blocks writes to document_chunks.
DROP INDEX "idx_chunks_embedding";--> statement-breakpoint
CREATE INDEX "idx_chunks_embedding" ON "document_chunks" USING hnsw (("embedding"::halfvec(1536)) halfvec_cosine_ops) WITH (m=16,ef_construction=128);