import { APP_ROLE } from '@agentflow/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createApiKey } from '../../test-support/auth';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { caller } from '../agents/test-fixtures';
import { createOrgWithOwner, type TestMember } from '../org/test-fixtures';

const shared = sharedTestDatabase();
let app: App;
const call = caller(() => app);

beforeAll(async () => {
  await shared.setup();
  ({ app } = await createTestApp({ database: shared.get().connectAs(APP_ROLE) }));
});
afterAll(async () => {
  await app?.close();
  await shared.teardown();
});

type Listed = { data: Array<{ id: string; name: string }>; next_cursor: string | null };

async function createBase(who: TestMember, name: string, description: string | null = null) {
  const res = await call(who, 'POST', '/api/v1/knowledge-bases', { name, description });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; name: string };
}

async function namesFor(who: { headers: Record<string, string> }, search: string): Promise<string[]> {
  const res = await call(who, 'GET', `/api/v1/knowledge-bases?search=${encodeURIComponent(search)}`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as Listed).data.map((b) => b.name);
}

describe('GET /knowledge-bases?search=', () => {
  it('matches the name or the description, case-insensitively, newest first', async () => {
    const admin = await createOrgWithOwner(app);
    await createBase(admin, 'Support FAQ', 'Answers for the help desk');
    await createBase(admin, 'Product manuals', 'PDFs of every device we ship');
    await createBase(admin, 'Legal', null);
    await createBase(admin, 'Helpdesk macros', 'Canned replies');

    expect(await namesFor(admin, 'faq')).toEqual(['Support FAQ']);
    expect(await namesFor(admin, 'DEVICE')).toEqual(['Product manuals']);
    // "help" is in one name and one description: both, newest first.
    expect(await namesFor(admin, 'Help')).toEqual(['Helpdesk macros', 'Support FAQ']);
    // Surrounding spaces are trimmed; the phrase itself must appear as typed.
    expect(await namesFor(admin, '  legal  ')).toEqual(['Legal']);
    expect(await namesFor(admin, 'desk help')).toEqual([]);
    expect(await namesFor(admin, 'nothing like this')).toEqual([]);
    // Without a search, every base.
    const all = (await call(admin, 'GET', '/api/v1/knowledge-bases')).json() as Listed;
    expect(all.data).toHaveLength(4);
  });

  it('treats %, _ and \\ as literal characters, not wildcards', async () => {
    const admin = await createOrgWithOwner(app);
    await createBase(admin, 'Refunds 50%', null);
    await createBase(admin, 'Refunds 500', null);
    await createBase(admin, 'Notes', 'see file_a');
    await createBase(admin, 'More notes', 'see fileXa');
    await createBase(admin, 'Paths', 'C:\\docs');
    await createBase(admin, 'Other paths', 'C:docs');

    expect(await namesFor(admin, '50%')).toEqual(['Refunds 50%']);
    expect(await namesFor(admin, '%')).toEqual(['Refunds 50%']);
    expect(await namesFor(admin, 'file_a')).toEqual(['Notes']);
    expect(await namesFor(admin, '_')).toEqual(['Notes']);
    expect(await namesFor(admin, 'C:\\docs')).toEqual(['Paths']);
  });

  it('pages through the matches with the cursor, the search applying to every page', async () => {
    const admin = await createOrgWithOwner(app);
    const matches: string[] = [];
    for (let i = 0; i < 5; i++) {
      matches.push((await createBase(admin, `Manual ${i}`)).id);
      await createBase(admin, `Unrelated ${i}`);
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let url = '/api/v1/knowledge-bases?search=manual&limit=2';
    for (;;) {
      const res = await call(admin, 'GET', url);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as Listed;
      sizes.push(page.data.length);
      seen.push(...page.data.map((b) => b.id));
      if (!page.next_cursor) break;
      url = `/api/v1/knowledge-bases?search=manual&limit=2&cursor=${encodeURIComponent(page.next_cursor)}`;
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual([...matches].reverse());
  });

  it('rejects a search that is too long or blank with 422 naming query.search', async () => {
    const admin = await createOrgWithOwner(app);
    for (const search of ['x'.repeat(201), '   ', '']) {
      const res = await call(admin, 'GET', `/api/v1/knowledge-bases?search=${encodeURIComponent(search)}`);
      expect(res.statusCode, JSON.stringify(search)).toBe(422);
      const fields = (res.json() as { error: { details: { fields: { path: string }[] } } }).error.details
        .fields;
      expect(fields.map((f) => f.path)).toEqual(['query.search']);
    }
    // 200 characters is still a search.
    expect(await namesFor(admin, 'x'.repeat(200))).toEqual([]);
  });

  it("never returns another org's bases, for members and API keys alike", async () => {
    const a = await createOrgWithOwner(app);
    const b = await createOrgWithOwner(app);
    await createBase(a, 'Shared name', 'from org A');
    await createBase(b, 'Shared name', 'from org B');
    await createBase(b, 'Only in B', 'shared name in the description');

    const res = await call(a, 'GET', '/api/v1/knowledge-bases?search=shared');
    expect((res.json() as Listed).data).toEqual([
      expect.objectContaining({ name: 'Shared name', description: 'from org A' }),
    ]);
    expect(await namesFor(a, 'only in b')).toEqual([]);
    const key = await createApiKey(app, a.orgId, ['knowledge:read']);
    expect(await namesFor(key, 'shared')).toEqual(['Shared name']);
    expect(await namesFor(b, 'shared')).toEqual(['Only in B', 'Shared name']);
  });
});
