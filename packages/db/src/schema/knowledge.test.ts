import { cosineDistance, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../client/rows';
import { drivers } from '../test-support/drivers';
import { axisVector, seedOrg } from '../test-support/fixtures';
import type { TestDatabase } from '../testing';
import { documentChunks } from '.';

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`knowledge search ${driver.label}`, () => {
    let database: TestDatabase;
    let seeded: Awaited<ReturnType<typeof seedOrg>>;
    beforeAll(async () => {
      database = await driver.create();
      seeded = await seedOrg(database.db);
      // 40 chunks, each on its own axis (seedOrg already put one on axis 0).
      await database.db.insert(documentChunks).values(
        Array.from({ length: 40 }, (_, i) => ({
          orgId: seeded.org.id,
          documentId: seeded.doc.id,
          knowledgeBaseId: seeded.kb.id,
          content: `chunk about topic ${i + 1}`,
          chunkIndex: i + 1,
          embedding: axisVector(i + 1),
        })),
      );
    });
    afterAll(async () => {
      await database?.cleanup();
    });

    it('orders by cosine distance, nearest first', async () => {
      // Closest to axis 7, slightly tilted towards axis 8.
      const target = axisVector(7, 0.2);
      const distance = cosineDistance(documentChunks.embedding, target);
      const rows = await database.db
        .select({ chunkIndex: documentChunks.chunkIndex, distance })
        .from(documentChunks)
        .where(eq(documentChunks.knowledgeBaseId, seeded.kb.id))
        .orderBy(distance)
        .limit(3);
      expect(rows.map((r) => r.chunkIndex).slice(0, 2)).toEqual([7, 8]);
      expect(Number(rows[0]?.distance)).toBeLessThan(Number(rows[1]?.distance));
    });

    it('answers the nearest-neighbour query from the HNSW index', async () => {
      const target = JSON.stringify(axisVector(7));
      const plan = await database.db.transaction(async (tx) => {
        // Tiny tables are cheaper to scan; forbid that so the plan shows whether the index is usable.
        await tx.execute(sql`set local enable_seqscan = off`);
        // The index holds the embedding at half precision (ADR 0007): the query orders by that expression.
        const result = await tx.execute(
          sql`explain select id from document_chunks
              order by embedding::halfvec(1536) <=> ${target}::halfvec(1536) limit 5`,
        );
        return rowsOf<{ 'QUERY PLAN': string }>(result)
          .map((r) => r['QUERY PLAN'])
          .join('\n');
      });
      expect(plan).toMatch(/Index Scan using idx_chunks_embedding/);
    });

    it('finds chunks by keyword through the generated tsvector', async () => {
      const rows = await database.db
        .select({ content: documentChunks.content })
        .from(documentChunks)
        .where(sql`${documentChunks.contentTsv} @@ plainto_tsquery('english', 'refund processing')`);
      expect(rows.map((r) => r.content)).toEqual(['Refunds are processed within five days']);
    });

    it('serves an org cursor page from the list index without sorting', async () => {
      const plan = await database.db.transaction(async (tx) => {
        await tx.execute(sql`set local enable_seqscan = off`);
        const result = await tx.execute(
          sql`explain select id from executions where org_id = ${seeded.org.id}
              order by created_at desc, id desc limit 20`,
        );
        return rowsOf<{ 'QUERY PLAN': string }>(result)
          .map((r) => r['QUERY PLAN'])
          .join('\n');
      });
      expect(plan).toMatch(/idx_executions_org/);
      expect(plan).not.toMatch(/Sort/);
    });
  });
}
