import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';
import { invitationLink } from './fakes-client';

const chromiumPath = inject('chromiumPath');

/** Several sections, so that with small chunks the answer sits in one chunk among others. */
const handbook = `# Acme office handbook

## Parking

Visitors park in the north lot. Staff badges open the garage gate from 7am to 8pm on weekdays.

## Lunch

The canteen on the second floor serves lunch from noon until 2pm, and soup all afternoon.

## Guest wifi

The guest wifi network is AcmeGuest and its password is blue-otter-42. It changes every quarter.

## Security

Report a lost badge to the front desk on the same day, and never lend yours to a visitor.
`;
const ANSWER = 'blue-otter-42';
/** Starts like a PDF (so it is read as one) and is nothing of the sort after that. */
const corruptPdf = Buffer.from('%PDF-1.7\nthis is not a real PDF, only its first line\n%%EOF\n');

/**
 * Knowledge bases in the browser (issue 7's UI): create a base with client-side validation, upload
 * two files at once, watch them ingest on the worker, query in hybrid mode, delete a document, and a
 * viewer who can read and query but not change anything.
 */
describe.skipIf(!chromiumPath)('knowledge bases (built web + API + worker, real browser)', () => {
  const webUrl = inject('webUrl');
  const email = `e2e-kb-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'correct horse battery';
  let browser: Browser;
  let close: () => Promise<void>;
  let context: BrowserContext;
  let page: Page;
  let baseUrl = '';

  /** The API through the web origin, as the browser reaches it. */
  async function api(method: string, path: string, body: unknown, token?: string): Promise<unknown> {
    const res = await fetch(`${webUrl}/api/v1${path}`, {
      method,
      headers: {
        // No body (DELETE), no content type: the API refuses an empty JSON body.
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : {};
  }

  const documentRow = (p: Page, name: string) => p.getByTestId('document-row').filter({ hasText: name });
  const playground = (p: Page) => p.getByRole('region', { name: 'Query playground' });

  async function ask(p: Page, query: string): Promise<Locator> {
    const form = playground(p);
    await form.getByLabel('Query', { exact: true }).fill(query);
    await form.getByLabel('Mode').selectOption('hybrid');
    await form.getByLabel('Results', { exact: true }).fill('5');
    const answered = p.waitForResponse((r) => r.url().endsWith('/query') && r.request().method() === 'POST');
    await form.getByRole('button', { name: 'Search' }).click();
    expect((await answered).status()).toBe(200);
    return form;
  }

  beforeAll(async () => {
    ({ browser, close } = await launchBrowser(chromiumPath as string));
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });
  afterAll(async () => close?.());

  it('signs up and finds the empty knowledge list in the main navigation', async () => {
    await page.goto(`${webUrl}/signup`);
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Organization name').fill('Knowledge Works');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/agents');

    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Knowledge' }).click();
    await page.waitForURL('**/knowledge');
    await page.getByTestId('knowledge-empty').waitFor();
    expect(await nav.getByRole('link', { name: 'Knowledge' }).getAttribute('aria-current')).toBe('page');
  });

  it('validates the create dialog in the browser, creates a base, and finds it with the server-side search', async () => {
    await page.getByRole('button', { name: 'Create a knowledge base' }).click();
    const dialog = page.getByRole('dialog', { name: 'New knowledge base' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Embedding model').inputValue()).toBe('local-hash-1536');

    // Invalid input never reaches the API: the contract's schema runs here first.
    let posted = false;
    const watch = (r: { url(): string; method(): string }) => {
      if (r.method() === 'POST' && r.url().endsWith('/knowledge-bases')) posted = true;
    };
    page.on('request', watch);
    await dialog.getByLabel('Chunk size').fill('200');
    await dialog.getByLabel('Overlap').fill('250');
    await dialog.getByRole('button', { name: 'Create knowledge base' }).click();
    await dialog.getByTestId('error-name').waitFor();
    expect(await dialog.getByTestId('error-name').textContent()).toBe('Name is required');
    expect(await dialog.getByTestId('error-chunk_overlap').textContent()).toBe(
      'Overlap must be smaller than chunk size',
    );
    // Focus goes to the first field to fix.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('field-name');
    expect(posted).toBe(false);
    page.off('request', watch);
    await screenshot(page, 'knowledge-create-errors');

    await dialog.getByLabel('Name', { exact: true }).fill('Office handbook');
    await dialog.getByLabel('Description').fill('Where things are and how they work');
    await dialog.getByLabel('Overlap').fill('0');
    await dialog.getByRole('button', { name: 'Create knowledge base' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('knowledge-row').filter({ hasText: 'Office handbook' });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/0 documents.*local-hash-1536/);

    // The search runs on the server. A full page (20) of newer bases pushes the handbook onto the second
    // page; the search still finds it, in one request and without loading that page.
    const login = (await api('POST', '/auth/login', { email, password })) as { access_token: string };
    const fillers: string[] = [];
    for (let i = 0; i < 20; i++) {
      const filler = (await api(
        'POST',
        '/knowledge-bases',
        { name: `Filler ${i}`, description: 'Padding for the second page' },
        login.access_token,
      )) as { id: string };
      fillers.push(filler.id);
    }
    await page.reload();
    const rows = page.getByTestId('knowledge-row');
    await rows.nth(19).waitFor();
    expect(await rows.count()).toBe(20);
    expect(await row.count()).toBe(0);
    await page.getByRole('button', { name: 'Load more' }).waitFor();

    const listed: URL[] = [];
    const watchList = (r: { url(): string; method(): string }) => {
      const url = new URL(r.url());
      if (r.method() === 'GET' && url.pathname.endsWith('/knowledge-bases')) listed.push(url);
    };
    page.on('request', watchList);
    await page.getByLabel('Search').fill('HANDBOOK');
    await row.waitFor();
    expect(await rows.count()).toBe(1);
    page.off('request', watchList);
    expect(listed.map((u) => u.searchParams.get('search'))).toEqual(['HANDBOOK']);
    expect(listed.some((u) => u.searchParams.has('cursor'))).toBe(false);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    // The description matches too (a phrase, case-insensitive).
    const described = page.waitForResponse(
      (r) => new URL(r.url()).searchParams.get('search') === 'HOW THEY work',
    );
    await page.getByLabel('Search').fill('HOW THEY work');
    expect((await described).status()).toBe(200);
    await row.waitFor();
    expect(await rows.count()).toBe(1);

    // A miss offers to clear the filters, which brings back the first page.
    await page.getByLabel('Search').fill('no such base');
    await page.getByRole('heading', { name: 'No knowledge bases match these filters' }).waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await rows.nth(19).waitFor();
    expect(await row.count()).toBe(0);
    const both = page.waitForResponse(
      (r) => new URL(r.url()).searchParams.get('search') === 'office HANDBOOK',
    );
    await page.getByLabel('Search').fill('office HANDBOOK');
    await both;
    // The model filter runs in the browser, over the server's matches.
    await page.getByLabel('Embedding model').selectOption('local-hash-1536');
    await row.waitFor();
    expect(await rows.count()).toBe(1);

    // The later steps (a viewer's list) expect the handbook on the first page again.
    for (const id of fillers) await api('DELETE', `/knowledge-bases/${id}`, undefined, login.access_token);

    await row.getByRole('link', { name: 'Office handbook' }).click();
    await page.waitForURL(/\/knowledge\/[0-9a-f-]{36}$/);
    baseUrl = page.url();
    await page.getByRole('heading', { name: 'Office handbook', level: 1 }).waitFor();
    await page.getByTestId('documents-empty').waitFor();
  });

  it('uploads two files at once: the Markdown ends ready with chunks, the corrupt PDF says why it failed', async () => {
    await page.getByLabel('Files to upload').setInputFiles([
      { name: 'handbook.md', mimeType: 'text/markdown', buffer: Buffer.from(handbook) },
      { name: 'broken.pdf', mimeType: 'application/pdf', buffer: corruptPdf },
    ]);
    await page.locator('[data-testid="upload-item"][data-status="added"]').nth(1).waitFor();

    const md = documentRow(page, 'handbook.md');
    const pdf = documentRow(page, 'broken.pdf');
    await md.locator('[data-testid="document-status"][data-status="ready"]').waitFor({ timeout: 30_000 });
    await pdf.locator('[data-testid="document-status"][data-status="failed"]').waitFor({ timeout: 30_000 });
    expect(Number(await md.getByTestId('document-chunks').textContent())).toBeGreaterThan(1);
    expect(await md.textContent()).toMatch(/Markdown/);
    expect(await pdf.getByTestId('document-error').textContent()).toMatch(/PDF could not be read/);
    expect(await pdf.getByTestId('document-chunks').textContent()).toBe('0');
    // Settled: the list stops polling and the base's counts follow.
    await page
      .getByTestId('knowledge-summary')
      .filter({ hasText: /^2 documents/ })
      .waitFor();
    expect(await page.getByRole('progressbar').count()).toBe(0);
    await screenshot(page, 'knowledge-documents');
  });

  it('answers a hybrid query with the chunk that holds the answer first', async () => {
    const form = await ask(page, 'What is the guest wifi password?');
    const first = form.getByTestId('query-result').first();
    await first.waitFor();
    expect(await first.getByTestId('query-result-document').textContent()).toBe('handbook.md');
    expect(await first.getByTestId('query-result-text').textContent()).toContain(ANSWER);
    expect(await first.textContent()).toMatch(/chunk \d+.*score \d\.\d{3}/);
    await screenshot(page, 'knowledge-query');
  });

  it('deletes the document after confirmation: it leaves the table and the query no longer finds it', async () => {
    await documentRow(page, 'handbook.md').getByRole('button', { name: 'Delete handbook.md' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “handbook.md”?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Delete document' }).click();
    await dialog.waitFor({ state: 'detached' });
    await documentRow(page, 'handbook.md').waitFor({ state: 'detached' });
    expect(await page.getByTestId('document-row').count()).toBe(1);

    const form = await ask(page, 'What is the guest wifi password?');
    await form.getByTestId('query-no-results').waitFor();
    expect(await form.getByTestId('query-result').count()).toBe(0);
    await screenshot(page, 'knowledge-after-delete');
  });

  it('adds pasted text, then changes the chunking and re-indexes every document', async () => {
    await page.getByRole('button', { name: 'Paste text…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add text' });
    await dialog.getByRole('button', { name: 'Add text' }).click();
    await dialog.getByTestId('error-text-name').waitFor();
    expect(await dialog.getByText('Text must not be empty').count()).toBe(1);
    await dialog.getByLabel('Name').fill('Notes');
    await dialog.getByLabel('Markdown').check();
    await dialog.getByLabel('Text', { exact: true }).fill('# Notes\n\nThe office cat is called Pixel.');
    await dialog.getByRole('button', { name: 'Add text' }).click();
    await dialog.waitFor({ state: 'detached' });
    const notes = documentRow(page, 'Notes');
    await notes.locator('[data-testid="document-status"][data-status="ready"]').waitFor({ timeout: 30_000 });

    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Knowledge base settings' });
    expect(await settings.getByLabel('Chunk size').inputValue()).toBe('200');
    await settings.getByLabel('Chunk size').fill('300');
    const reindex = settings.getByRole('checkbox', { name: /Re-index the 2 existing documents/ });
    expect(await reindex.isChecked()).toBe(true);
    await screenshot(page, 'knowledge-settings');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Settings saved. Re-indexing 2 documents.' }).waitFor();
    await page.getByTestId('knowledge-summary').filter({ hasText: 'chunks of 300 characters' }).waitFor();
    // Both documents go through ingestion again and settle as before.
    await notes.locator('[data-testid="document-status"][data-status="ready"]').waitFor({ timeout: 30_000 });
    await documentRow(page, 'broken.pdf')
      .locator('[data-testid="document-status"][data-status="failed"]')
      .waitFor({ timeout: 30_000 });

    const form = await ask(page, 'What is the office cat called?');
    const first = form.getByTestId('query-result').first();
    await first.waitFor();
    expect(await first.getByTestId('query-result-text').textContent()).toContain('Pixel');
  });

  it('says so when a base does not exist (or belongs to another organization)', async () => {
    await page.goto(`${webUrl}/knowledge/${randomUUID()}`);
    await page
      .getByRole('alert')
      .filter({ hasText: /no longer exists, or belongs to another organization/ })
      .waitFor();
  });

  it('a viewer reads and queries the base but is offered no change', async () => {
    // The owner invites a viewer through the API (a session of its own); the viewer joins by the email link.
    const login = (await api('POST', '/auth/login', { email, password })) as { access_token: string };
    const viewerEmail = `e2e-kb-viewer-${randomBytes(4).toString('hex')}@example.com`;
    await api('POST', '/org/members/invite', { email: viewerEmail, role: 'viewer' }, login.access_token);
    const link = new URL(await invitationLink(viewerEmail));

    const viewer = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await viewer.goto(`${webUrl}${link.pathname}${link.search}`);
    await viewer.getByLabel('Your name').fill('Vera Viewer');
    await viewer.getByLabel('Password').fill(password);
    await viewer.getByRole('button', { name: /Create account and join/ }).click();
    await viewer.waitForURL('**/agents');

    await viewer.goto(`${webUrl}/knowledge`);
    const row = viewer.getByTestId('knowledge-row').filter({ hasText: 'Office handbook' });
    await row.waitFor();
    expect(await viewer.getByRole('button', { name: 'New knowledge base' }).count()).toBe(0);
    expect(await row.getByRole('button').count()).toBe(0);

    await viewer.goto(baseUrl);
    await documentRow(viewer, 'broken.pdf').getByTestId('document-error').waitFor();
    await documentRow(viewer, 'Notes').waitFor();
    expect(await viewer.getByLabel('Files to upload').count()).toBe(0);
    expect(
      await viewer.getByRole('button', { name: /^(Settings|Re-index all|Delete base|Paste text…)$/ }).count(),
    ).toBe(0);
    expect(await documentRow(viewer, 'broken.pdf').getByRole('button').count()).toBe(0);
    const form = await ask(viewer, 'What is the office cat called?');
    expect(
      await form.getByTestId('query-result').first().getByTestId('query-result-document').textContent(),
    ).toBe('Notes');
    await screenshot(viewer, 'knowledge-viewer');
  });
});
