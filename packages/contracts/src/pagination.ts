import { z } from 'zod';

/** `?cursor=&limit=`: every list endpoint takes these (ARCHITECTURE.md "Conventions"). */
export const paginationQuerySchema = z.object({
  cursor: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type PaginationQuery = z.infer<typeof paginationQuerySchema>;

/** `{ data, next_cursor }`: every list endpoint returns this; `next_cursor` is null on the last page. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}
export type Page<T> = { data: T[]; next_cursor: string | null };
