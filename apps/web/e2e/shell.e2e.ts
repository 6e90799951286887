import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';
import { invitationLink, scriptSsoLogin } from './fakes-client';

const chromiumPath = inject('chromiumPath');

/**
 * The app shell (issue 6 items 1, 2, 6, 7): invitations, org switching, first visit, theme without a
 * flash, SSO through a fake WorkOS, the session ending elsewhere, and the agents list's controls.
 */
describe.skipIf(!chromiumPath)('app shell (built web + API, fake WorkOS + SMTP, real browser)', () => {
  const webUrl = inject('webUrl');
  const password = 'correct horse battery';
  let browser: Browser;
  let close: () => Promise<void>;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ({ browser, close } = await launchBrowser(chromiumPath as string));
  });
  afterAll(async () => close?.());

  const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

  /** A fresh browser profile (own cookies and storage): another person, or the same on a new device. */
  async function freshPage(options: { colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
    contexts.push(context);
    return context.newPage();
  }

  /** The API through the web origin, as the browser reaches it. */
  async function call<T = Record<string, unknown>>(
    path: string,
    init: { method?: string; body?: unknown; token?: string } = {},
  ): Promise<T> {
    const res = await fetch(`${webUrl}/api/v1${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  interface Account {
    email: string;
    token: string;
    orgId: string;
    orgName: string;
  }

  async function signupByApi(orgName: string): Promise<Account> {
    const email = `${unique('e2e')}@example.com`;
    const session = await call<{ access_token: string; organization: { id: string } }>('/auth/signup', {
      body: { name: `Owner of ${orgName}`, email, password, organization_name: orgName },
    });
    return { email, token: session.access_token, orgId: session.organization.id, orgName };
  }

  const createAgent = (who: Account, name: string, extra: Record<string, unknown> = {}) =>
    call<{ id: string; name: string }>('/agents', {
      token: who.token,
      body: { name, template: 'starter', ...extra },
    });

  async function invite(who: Account, email: string, role: string) {
    const invitation = await call<{ id: string }>('/org/members/invite', {
      token: who.token,
      body: { email, role },
    });
    return { id: invitation.id, link: await invitationLink(email) };
  }

  /** The link the API emailed points at APP_URL: open it on the address this run serves. */
  const onWeb = (link: string) => {
    const url = new URL(link);
    return `${webUrl}${url.pathname}${url.search}`;
  };

  async function logIn(page: Page, email: string) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
  }

  /** The row whose agent is called exactly `name` (a clone "<name> (copy)" is another row). */
  const agentRow = (page: Page, name: string) =>
    page.getByTestId('agent-row').filter({
      has: page.locator('h2', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
    });

  describe('invitations', () => {
    let owner: Account;

    beforeAll(async () => {
      owner = await signupByApi(unique('Invite Org'));
      await createAgent(owner, 'Invite org agent');
    });

    it('a new person opens the link, sees the org and role, signs up and lands in the org', async () => {
      const email = `${unique('invitee')}@example.com`;
      const { link } = await invite(owner, email, 'editor');
      const page = await freshPage();
      await page.goto(onWeb(link));

      const summary = page.getByTestId('invitation-summary');
      await summary.waitFor();
      expect(await summary.textContent()).toContain(owner.orgName);
      expect(await summary.textContent()).toContain('Editor');
      expect(await summary.textContent()).toContain(email);
      expect(await page.getByLabel('Email').inputValue()).toBe(email);
      await screenshot(page, 'invitation');

      // The API's field errors land next to the field.
      await page.getByLabel('Password').fill('short');
      await page.getByRole('button', { name: /Create account and join/ }).click();
      await page.getByTestId('error-password').waitFor();

      await page.getByLabel('Your name').fill('Grace Hopper');
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: /Create account and join/ }).click();
      await page.waitForURL('**/agents');
      await agentRow(page, 'Invite org agent').waitFor();
      expect(await page.getByLabel('Organization').locator('option:checked').textContent()).toBe(
        `${owner.orgName} (editor)`,
      );

      // Single use: the same link now explains itself in plain words.
      await page.goto(onWeb(link));
      const error = page.getByTestId('invitation-error');
      await error.waitFor();
      expect(await error.textContent()).toMatch(/already been used/);
      await screenshot(page, 'invitation-used');

      // Signed in as the invitee, a link for someone else says so instead of accepting.
      const other = await invite(owner, `${unique('someone-else')}@example.com`, 'viewer');
      await page.goto(onWeb(other.link));
      const mismatch = page.getByTestId('invitation-mismatch');
      await mismatch.waitFor();
      expect(await mismatch.textContent()).toContain(email);
    });

    it('explains a revoked invitation and a broken link in plain words', async () => {
      const email = `${unique('revoked')}@example.com`;
      const { id, link } = await invite(owner, email, 'viewer');
      await call(`/org/invitations/${id}`, { method: 'DELETE', token: owner.token });
      const page = await freshPage();
      await page.goto(onWeb(link));
      const error = page.getByTestId('invitation-error');
      await error.waitFor();
      expect(await error.textContent()).toMatch(/withdrawn/);

      await page.goto(`${webUrl}/invite/accept?token=${'x'.repeat(43)}`);
      await page.getByTestId('invitation-error').waitFor();
      expect(await page.getByTestId('invitation-error').textContent()).toMatch(/not valid/);
      await page.goto(`${webUrl}/invite/accept`);
      await page.getByTestId('invitation-error').waitFor();
      expect(await page.getByTestId('invitation-error').textContent()).toMatch(/no invitation code/);
    });
  });

  describe('a person in two orgs', () => {
    let alpha: Account;
    let beta: Account;
    let page: Page;

    beforeAll(async () => {
      alpha = await signupByApi(unique('Alpha'));
      beta = await signupByApi(unique('Beta'));
      await createAgent(alpha, 'Alpha agent');
      await createAgent(beta, 'Beta agent');
      page = await freshPage();
    });

    it('an existing account logs in from the invitation, accepts, and lands in the new org', async () => {
      const { link } = await invite(beta, alpha.email, 'admin');
      await page.goto(onWeb(link));
      await page.getByRole('link', { name: 'Log in to accept' }).click();
      await page.waitForURL((url) => url.pathname === '/login');
      // The email comes pre-filled from the invitation.
      await expect.poll(() => page.getByLabel('Email').inputValue()).toBe(alpha.email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      await page.waitForURL((url) => url.pathname === '/invite/accept');
      await page.getByRole('button', { name: `Accept and join ${beta.orgName}` }).click();
      await page.waitForURL('**/agents');
      await agentRow(page, 'Beta agent').waitFor();
      expect(await agentRow(page, 'Alpha agent').count()).toBe(0);
    });

    it('switches org with the org switcher: the agents list refetches for the other org', async () => {
      const switcher = page.getByLabel('Organization');
      expect(await switcher.locator('option').count()).toBe(2);
      await switcher.selectOption({ label: `${alpha.orgName} (owner)` });
      await agentRow(page, 'Alpha agent').waitFor();
      expect(await agentRow(page, 'Beta agent').count()).toBe(0);
      expect(await switcher.locator('option:checked').textContent()).toBe(`${alpha.orgName} (owner)`);

      // The choice is the session's: a reload stays in the org switched to.
      await page.reload();
      await agentRow(page, 'Alpha agent').waitFor();

      await page.getByLabel('Organization').selectOption({ label: `${beta.orgName} (admin)` });
      await agentRow(page, 'Beta agent').waitFor();
      expect(await agentRow(page, 'Alpha agent').count()).toBe(0);
    });

    it('a session ended in another tab sends this one to the login page, and back after logging in', async () => {
      const other = await page.context().newPage();
      await other.goto(`${webUrl}/agents`);
      await other.getByRole('button', { name: 'Log out' }).click();
      await other.waitForURL((url) => url.pathname === '/login');

      // The next API call of the first tab is refused (session revoked): it goes to /login?next=.
      await page.getByLabel('Status').selectOption('paused');
      await page.waitForURL((url) => url.pathname === '/login');
      expect(new URL(page.url()).searchParams.get('next')).toBe('/agents');
      await logIn(page, alpha.email);
      await page.waitForURL((url) => url.pathname === '/agents');
      await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    });
  });

  describe('first visit', () => {
    it('a new user gets the starter agent in one click, and it runs offline', async () => {
      const page = await freshPage();
      await page.goto(`${webUrl}/signup`);
      await page.getByLabel('Your name').fill('Katherine Johnson');
      const email = `${unique('first')}@example.com`;
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByLabel('Organization name').fill('Orbital Mechanics');
      await screenshot(page, 'signup');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL('**/agents');
      await page.getByTestId('agents-empty').waitFor();
      await screenshot(page, 'agents-first-visit');

      await page.getByRole('button', { name: 'Create the starter agent' }).click();
      const row = agentRow(page, 'Starter agent');
      await row.waitFor();
      expect(await row.textContent()).toMatch(/Draft/);
      await screenshot(page, 'agents-list');

      // trigger -> AI (echo model) -> output, runnable without any key: a dry run completes.
      const { access_token: token } = await call<{ access_token: string }>('/auth/login', {
        body: { email, password },
      });
      const list = await call<{ data: { id: string }[] }>('/agents', { token });
      const agent = await call<{ definition: { nodes: { type: string; config: { model?: string } }[] } }>(
        `/agents/${list.data[0]?.id}`,
        { token },
      );
      expect(agent.definition.nodes.map((n) => n.type)).toEqual(['trigger', 'ai', 'output']);
      expect(agent.definition.nodes[1]?.config.model).toBe('echo');
      const run = await call<{ status: string }>(`/agents/${list.data[0]?.id}/test`, { token, body: {} });
      expect(run.status).toBe('completed');
    });
  });

  describe('agents list', () => {
    let owner: Account;
    let page: Page;

    beforeAll(async () => {
      owner = await signupByApi(unique('List Org'));
      // 22 agents: one page is 20.
      for (let i = 1; i <= 20; i++) await createAgent(owner, `Filler ${String(i).padStart(2, '0')}`);
      await createAgent(owner, 'Webhook intake', { trigger_type: 'webhook', template: 'blank' });
      const published = await createAgent(owner, 'Published helper');
      await call(`/agents/${published.id}/publish`, { token: owner.token, body: { change_message: 'v1' } });
      page = await freshPage();
      await page.goto(`${webUrl}/login`);
      await logIn(page, owner.email);
      await page.waitForURL('**/agents');
    });

    it('pages with "Load more"', async () => {
      await agentRow(page, 'Published helper').waitFor();
      expect(await page.getByTestId('agent-row').count()).toBe(20);
      await page.getByRole('button', { name: 'Load more' }).click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="agent-row"]').length === 22);
      expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    });

    it('searches, filters by trigger and status, and clears the filters', async () => {
      await page.getByLabel('Search').fill('webhook');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="agent-row"]').length === 1);
      await agentRow(page, 'Webhook intake').waitFor();

      await page.getByLabel('Search').fill('');
      await page.getByLabel('Trigger').selectOption('webhook');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="agent-row"]').length === 1);
      await agentRow(page, 'Webhook intake').waitFor();

      await page.getByLabel('Trigger').selectOption('schedule');
      await page.getByRole('heading', { name: 'No agents match these filters' }).waitFor();
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await agentRow(page, 'Published helper').waitFor();
      expect(await page.getByLabel('Trigger').inputValue()).toBe('');
    });

    it('activates and pauses a published agent, clones one, archives through the dialog', async () => {
      const row = agentRow(page, 'Published helper');
      // Unpublished drafts are not offered "Activate" (the API would refuse it).
      expect(
        await agentRow(page, 'Webhook intake')
          .getByRole('button', { name: /^Activate/ })
          .count(),
      ).toBe(0);

      await row.getByRole('button', { name: 'Activate Published helper' }).click();
      await row.getByText('Active', { exact: true }).waitFor();
      await page.getByLabel('Status').selectOption('active');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="agent-row"]').length === 1);
      await row.getByRole('button', { name: 'Pause Published helper' }).click();
      await page.getByTestId('agents-empty').waitFor();
      await page.getByLabel('Status').selectOption('paused');
      await row.waitFor();

      await row.getByRole('button', { name: 'Clone Published helper' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /Created “.*Published helper.*”/ })
        .waitFor();
      await page.getByLabel('Status').selectOption('');
      await page.getByLabel('Search').fill('Published helper');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="agent-row"]').length === 2);
      // Let the debounced search settle, so the rows are not re-rendered while the dialog is open.
      await page.waitForLoadState('networkidle');

      // Archive with the keyboard: the dialog traps focus, Escape cancels, the button confirms.
      await row.getByRole('button', { name: 'Archive Published helper', exact: true }).focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: /Archive “Published helper”\?/ });
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      // Focus returns to the control that opened it. Radix moves it in a timer after the dialog
      // unmounts, so it can land just after `detached`: poll rather than read once.
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
        .toBe('Archive Published helper');
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Archive agent' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="agent-row"]').length === 1);
      await page.getByLabel('Status').selectOption('archived');
      await agentRow(page, 'Published helper').getByText('Archived', { exact: true }).waitFor();
    });
  });

  describe('theme', () => {
    /** The <html> class as the parser left it, before any Next.js bundle ran (recorded at DOMContentLoaded). */
    async function recordClassAtDomContentLoaded(page: Page) {
      await page.addInitScript(() => {
        document.addEventListener('DOMContentLoaded', () => {
          (window as unknown as { __classAtDcl: string }).__classAtDcl = document.documentElement.className;
        });
      });
    }
    const classAtDcl = (page: Page) =>
      page.evaluate(() => (window as unknown as { __classAtDcl?: string }).__classAtDcl);

    it('follows the system, then keeps the chosen theme across reloads without a flash', async () => {
      const page = await freshPage({ colorScheme: 'dark' });
      await recordClassAtDomContentLoaded(page);
      await page.goto(`${webUrl}/login`);
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      expect(await classAtDcl(page)).toBe('dark');

      // Choose light while the system is dark: it sticks across a reload, from the first paint.
      await page.goto(webUrl);
      await page.getByRole('button', { name: 'Switch to light theme' }).click();
      expect(await page.evaluate(() => document.documentElement.className)).toBe('');
      await page.reload();
      await page.getByRole('button', { name: 'Switch to dark theme' }).waitFor();
      expect(await classAtDcl(page)).toBe('');

      await page.getByRole('button', { name: 'Switch to dark theme' }).click();
      await page.reload();
      await page.getByRole('button', { name: 'Switch to light theme' }).waitFor();
      expect(await classAtDcl(page)).toBe('dark');

      // With every Next.js bundle blocked, only the inline <head> script can have set the theme: the
      // page is dark before React exists, so there is nothing to flash.
      await page.route('**/_next/static/**/*.js', (route) => route.abort());
      await page.goto(`${webUrl}/login`);
      expect(await page.evaluate(() => document.documentElement.className)).toBe('dark');
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).not.toBe('rgb(255, 255, 255)');
      await page.unroute('**/_next/static/**/*.js');
      await page.goto(`${webUrl}/login`);
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      await screenshot(page, 'login-dark');
    });
  });

  describe('SSO (API pointed at a fake WorkOS)', () => {
    it('explains an organization without SSO and lets the person try again', async () => {
      const page = await freshPage();
      await page.goto(`${webUrl}/login`);
      await screenshot(page, 'login');
      await page.getByRole('link', { name: 'Sign in with SSO' }).click();
      await page.waitForURL('**/login/sso');
      // An email is not an organization ID: said next to the field, nothing sent.
      await page.getByLabel('Organization ID').fill('ada@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByTestId('error-org').waitFor();
      await screenshot(page, 'sso');

      await page.getByLabel('Organization ID').fill('no-such-org');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((url) => url.pathname === '/login/sso' && url.searchParams.has('error'));
      const error = page.getByTestId('sso-error');
      await error.waitFor();
      expect(await error.textContent()).toMatch(/not set up for that organization/);
      // The slug stays filled in, ready for another try.
      expect(await page.getByLabel('Organization ID').inputValue()).toBe('no-such-org');
      await screenshot(page, 'sso-error');
    });

    it('signs in through the identity provider and lands in the org with the default role', async () => {
      const owner = await signupByApi(unique('SSO Corp'));
      await createAgent(owner, 'SSO corp agent');
      const workosOrg = `org_e2e${randomBytes(6).toString('hex')}`;
      await call('/org/sso', {
        method: 'PUT',
        token: owner.token,
        body: { workos_organization_id: workosOrg, default_role: 'editor' },
      });
      const { slug } = await call<{ slug: string }>('/org', { token: owner.token });

      // An IdP that refuses: back on the SSO page with an explanation.
      const page = await freshPage();
      await page.goto(`${webUrl}/login/sso`);
      await page.getByLabel('Organization ID').fill(slug);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByTestId('sso-error').waitFor();
      expect(await page.getByTestId('sso-error').textContent()).toMatch(/identity provider did not complete/);

      // Now the IdP signs the person in: the callback on the web origin sets the session.
      const email = `${unique('sso-user')}@ssocorp.test`;
      await scriptSsoLogin({ email, organization_id: workosOrg });
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.waitForURL('**/agents');
      await agentRow(page, 'SSO corp agent').waitFor();
      expect(await page.getByLabel('Organization').locator('option:checked').textContent()).toBe(
        `${owner.orgName} (editor)`,
      );
      await page.getByText(email).waitFor();
      await screenshot(page, 'sso-signed-in');
    });
  });
});
