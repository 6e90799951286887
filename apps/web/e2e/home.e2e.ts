import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';

const chromiumPath = inject('chromiumPath');

describe.skipIf(!chromiumPath)('home page (built web + API + worker, real browser)', () => {
  let browser: Browser;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ browser, close } = await launchBrowser(chromiumPath as string));
  });
  afterAll(async () => close?.());

  it('shows the API as ready, with the database and queue the stack runs on', async () => {
    const page = await browser.newPage();
    await page.goto(inject('webUrl'));
    await expect(page.getByRole('heading', { name: 'AgentFlow', level: 1 }).isVisible()).resolves.toBe(true);
    const status = page.getByTestId('status');
    await status.locator('dd').first().waitFor();
    expect(await status.getAttribute('data-status')).toBe('ok');
    const values = await status.locator('dd').allTextContents();
    expect(values[0]).toBe('Ready');
    expect(values[1]).toBe('ok');
    expect(values[2]).toMatch(inject('redis') ? /^ok$/ : /not configured/);
    await screenshot(page, 'home');
  });

  it('serves the API reference through the web origin', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${inject('webUrl')}/docs/json`);
    expect(response?.status()).toBe(200);
    const spec = (await response?.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
  });
});
