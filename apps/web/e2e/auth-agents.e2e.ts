import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';

const chromiumPath = inject('chromiumPath');

describe.skipIf(!chromiumPath)('sign up, agents, log out and in (built web + API, real browser)', () => {
  let browser: Browser;
  let close: () => Promise<void>;
  let page: Page;
  const webUrl = inject('webUrl');
  const email = `e2e-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'correct horse battery';

  beforeAll(async () => {
    ({ browser, close } = await launchBrowser(chromiumPath as string));
    page = await (await browser.newContext()).newPage();
  });
  afterAll(async () => close?.());

  it('shows the API field errors next to the field, then signs up and lands on the empty agents list', async () => {
    await page.goto(webUrl);
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.waitForURL('**/signup');
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    const passwordError = page.getByTestId('error-password');
    await passwordError.waitFor();
    expect(await passwordError.textContent()).toMatch(/Password must be at least 10 characters/);
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'signup-field-error');

    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Organization name').fill('Analytical Engines');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/agents');
    await page.getByTestId('agents-empty').waitFor();
    expect(await page.getByRole('heading', { name: 'No agents yet' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Organization').inputValue()).not.toBe('');
    expect(await page.getByLabel('Organization').locator('option').first().textContent()).toMatch(
      /Analytical Engines \(owner\)/,
    );
    await screenshot(page, 'agents-empty');
  });

  it('creates an agent from the starter template', async () => {
    await page.getByRole('button', { name: 'New agent' }).click();
    const dialog = page.getByRole('dialog', { name: 'New agent' });
    await dialog.waitFor();
    await dialog.getByLabel('Name').fill('Echo bot');
    await dialog.getByLabel('Description').fill('Says back what it hears');
    await dialog.getByLabel('Starter template').check();
    await screenshot(page, 'agents-create-dialog');
    await dialog.getByRole('button', { name: 'Create agent' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('agent-row').filter({ hasText: 'Echo bot' });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Draft/);
    await screenshot(page, 'agents-list');
  });

  it('keeps the session across a reload (refresh cookie)', async () => {
    await page.reload();
    await page.getByTestId('agent-row').filter({ hasText: 'Echo bot' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/agents');
  });

  it('archives the agent through the confirmation dialog, focus staying in it', async () => {
    await page.getByRole('button', { name: 'Archive Echo bot' }).click();
    const dialog = page.getByRole('dialog', { name: /Archive “Echo bot”\?/ });
    await dialog.waitFor();
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    }
    await screenshot(page, 'agents-archive-dialog');
    await dialog.getByRole('button', { name: 'Archive agent' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('agents-empty').waitFor();
    expect(await page.getByTestId('agent-row').count()).toBe(0);
  });

  it('logs out to /login, refuses a wrong password in plain words, then logs in again', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');

    // Signed out for real: the app pages send the visitor back to /login.
    await page.goto(`${webUrl}/agents`);
    await page.waitForURL((url) => url.pathname === '/login');

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    // Not getByRole('alert'): Next's route announcer is one too.
    const alert = page.locator('#form-error[role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'That email and password do not match an account. Check them and try again.',
    );
    await screenshot(page, 'login-error');

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/agents');
    await page.getByTestId('agents-empty').waitFor();
  });

  it('sends a signed-in visitor of the home page to /agents', async () => {
    await page.goto(webUrl);
    await page.waitForURL('**/agents');
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
  });
});
