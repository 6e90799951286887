import { AppError } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, toPage } from './cursor';

const id = '0b7c3c43-2a5f-4b8e-9d0c-6f1f7a2b9c11';

describe('cursor', () => {
  it('round-trips the exact key, microseconds included', () => {
    const key = { t: '2026-11-20T10:00:00.123456Z', i: id };
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(key);
  });

  it.each([
    ['garbage', 'not base64 json'],
    ['bad uuid', encodeCursor({ t: '2026-11-20T10:00:00.123456Z', i: 'x' } as never)],
    ['bad time', encodeCursor({ t: "2026-11-20'; drop table x; --", i: id })],
    ['millisecond time', encodeCursor({ t: '2026-11-20T10:00:00.123Z', i: id })],
  ])('rejects %s as a 422 on query.cursor', (_name, cursor) => {
    try {
      decodeCursor(cursor);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(422);
      expect((error as AppError).details).toMatchObject({ fields: [{ path: 'query.cursor' }] });
    }
  });

  it('toPage cuts the lookahead row and points the cursor at the last row shown', () => {
    const rows = [1, 2, 3].map((n) => ({
      id: `${id.slice(0, -1)}${n}`,
      cursorAt: `2026-11-20T10:00:0${n}.000000Z`,
    }));
    expect(toPage(rows, 3)).toEqual({ rows, nextCursor: null });
    const page = toPage(rows, 2);
    expect(page.rows).toEqual(rows.slice(0, 2));
    expect(decodeCursor(page.nextCursor!)).toEqual({ t: rows[1]!.cursorAt, i: rows[1]!.id });
  });
});
