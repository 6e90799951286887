-- The HNSW index at half precision (ADR 0007): 391 MB instead of 781 MB for the bench's 100,000
-- chunks, built in ~50 s instead of ~60-120 s, queries as fast or faster at the same recall. m 16:
-- an insert's cost grows with m (the new node is linked into up to 2·m neighbours' lists), and denser
-- graphs did not buy recall on the bench data (the query's ef_search did); ef_construction 128 gave
-- somewhat higher recall than pgvector's default of 64 for about the same insert cost. Queries must
-- order by embedding::halfvec(1536) to use it. Rebuilding reads every embedding: on a large table
-- this migration takes minutes and blocks writes to document_chunks meanwhile.
DROP INDEX "idx_chunks_embedding";--> statement-breakpoint
CREATE INDEX "idx_chunks_embedding" ON "document_chunks" USING hnsw (("embedding"::halfvec(1536)) halfvec_cosine_ops) WITH (m=16,ef_construction=128);