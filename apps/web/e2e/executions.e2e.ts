import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';

const chromiumPath = inject('chromiumPath');

type Json = Record<string, unknown>;
const node = (id: string, type: string, subtype: string, config: Json, x: number) => ({
  id,
  type,
  subtype,
  label: id,
  config,
  position: { x, y: 0 },
});

/** trigger -> review (human approval) -> done (respond) */
const approvalDefinition = {
  nodes: [
    node('start', 'trigger', 'manual', {}, 0),
    node('review', 'human', 'approval', { message: 'Ship {{trigger.data.what}}?' }, 220),
    node('done', 'output', 'respond', { body: 'shipped' }, 440),
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'review' },
    { id: 'e2', source: 'review', target: 'done', source_handle: 'approved' },
  ],
};

/** trigger -> wait (a 60 s delay) -> done: a run that is busy long enough to be cancelled. */
const slowDefinition = {
  nodes: [
    node('start', 'trigger', 'manual', {}, 0),
    node('wait', 'logic', 'delay', { seconds: 60 }, 220),
    node('done', 'output', 'respond', { body: 'late' }, 440),
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'wait' },
    { id: 'e2', source: 'wait', target: 'done' },
  ],
};

describe.skipIf(!chromiumPath)('executions and approvals (built web + API + worker, real browser)', () => {
  let browser: Browser;
  let close: () => Promise<void>;
  let context: BrowserContext;
  let page: Page;
  const webUrl = inject('webUrl');
  const apiUrl = inject('apiUrl');
  const email = `e2e-exec-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'correct horse battery';
  let token = '';
  let approvalAgent = '';
  let slowAgent = '';
  let approvalRun = '';
  const sockets: string[] = [];

  /** The API straight from the test, with a session of its own (a separate login). */
  async function call(method: string, path: string, body?: unknown): Promise<Json> {
    const res = await fetch(`${apiUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as Json;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  async function activeAgent(name: string, definition: unknown): Promise<string> {
    const agent = await call('POST', '/agents', { name, definition });
    const id = agent.id as string;
    await call('POST', `/agents/${id}/publish`, { change_message: 'v1' });
    await call('PUT', `/agents/${id}/status`, { status: 'active' });
    return id;
  }

  async function execute(agentId: string, data: Json = {}): Promise<string> {
    const started = await call('POST', `/agents/${agentId}/execute`, { trigger_data: data });
    return started.execution_id as string;
  }

  const statusOf = (p: Page) => p.getByTestId('execution-status');
  async function waitForStatus(p: Page, status: string, timeout = 30_000) {
    await p.locator(`[data-testid="execution-status"][data-status="${status}"]`).waitFor({ timeout });
  }

  beforeAll(async () => {
    ({ browser, close } = await launchBrowser(chromiumPath as string));
    context = await browser.newContext();
    context.on('page', (p) => p.on('websocket', (ws) => sockets.push(ws.url())));
    page = await context.newPage();
  });
  afterAll(async () => close?.());

  it('signs up, then sets up agents with an approval step and a long delay through the API', async () => {
    await page.goto(`${webUrl}/signup`);
    await page.getByLabel('Your name').fill('Grace Hopper');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Organization name').fill('Compilers Inc');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/agents');

    const session = await call('POST', '/auth/login', { email, password });
    token = session.access_token as string;
    approvalAgent = await activeAgent('Approval bot', approvalDefinition);
    slowAgent = await activeAgent('Slow bot', slowDefinition);
  });

  it('shows an empty list and inbox before anything ran, reachable from the main navigation', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Executions' }).click();
    await page.waitForURL('**/executions');
    await page.getByTestId('executions-empty').waitFor();
    await nav.getByRole('link', { name: 'Approvals' }).click();
    await page.waitForURL('**/approvals');
    await page.getByTestId('approvals-empty').waitFor();
    expect(await nav.getByRole('link', { name: 'Approvals' }).getAttribute('aria-current')).toBe('page');
  });

  it('shows a run waiting for approval on its page, live', async () => {
    approvalRun = await execute(approvalAgent, { what: 'v2' });
    await page.goto(`${webUrl}/executions/${approvalRun}`);
    await page.getByRole('heading', { name: /Approval bot/, level: 1 }).waitFor();
    await waitForStatus(page, 'waiting_approval');
    const panel = page.getByTestId('approval-panel');
    await panel.waitFor();
    expect(await panel.getByTestId('approval-message').textContent()).toBe('Ship v2?');
    await page.locator('[data-testid="run-node"][data-status="waiting"]').waitFor();
    await page.locator('[data-testid="step-row"][data-node="start"][data-status="completed"]').waitFor();
    // Same-origin: Next forwards the WebSocket upgrade on /api/* to the API.
    const streamUrl = `${webUrl.replace(/^http/, 'ws')}/api/v1/executions/${approvalRun}/stream`;
    expect(sockets.some((u) => u.startsWith(streamUrl))).toBe(true);
    await screenshot(page, 'execution-waiting-approval');
  });

  it('approves from the inbox; the execution page, never reloaded, shows it finish live', async () => {
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const inbox = await context.newPage();
    await inbox.goto(`${webUrl}/approvals`);
    const row = inbox.getByTestId('approval-row').filter({ hasText: 'Approval bot' });
    await row.waitFor();
    expect(await row.getByTestId('approval-message').textContent()).toBe('Ship v2?');
    await row.getByLabel(/Comment/).fill('Looks good');
    await screenshot(inbox, 'approvals-inbox');
    await row.getByRole('button', { name: 'Approve' }).click();
    const decided = inbox.getByTestId('approval-decided');
    await decided.waitFor();
    expect(await decided.textContent()).toMatch(/Approved “Ship v2\?”/);
    expect(await decided.getByRole('link', { name: 'Watch the run' }).getAttribute('href')).toBe(
      `/executions/${approvalRun}`,
    );
    await inbox.getByTestId('approvals-empty').waitFor();

    await waitForStatus(page, 'completed');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    expect(await page.getByTestId('approval-panel').count()).toBe(0);
    await page.locator('[data-testid="step-row"][data-node="done"][data-status="completed"]').waitFor();
    await page.locator('[data-testid="run-node"][data-status="completed"]').nth(2).waitFor();
    // The human step's output is the decision, with the comment.
    const review = page.locator('[data-testid="step-row"][data-node="review"]');
    await review.locator('summary').click();
    await review.getByText('Looks good').waitFor();
    await page.getByTestId('execution-logs').getByText('Execution completed').waitFor();
    await screenshot(page, 'execution-detail');

    await inbox.getByRole('link', { name: 'Watch the run' }).click();
    await inbox.waitForURL(`**/executions/${approvalRun}`);
    await waitForStatus(inbox, 'completed');
    await inbox.close();
  });

  it('lists runs with filters (status in the URL, agent from the select) and links to the detail', async () => {
    const slowRun = await execute(slowAgent);
    await call('POST', `/executions/${slowRun}/cancel`);

    await page.goto(`${webUrl}/executions?status=completed`);
    await page.getByTestId('execution-row').first().waitFor();
    expect(await page.getByLabel('Status').inputValue()).toBe('completed');
    let rows = await page.getByTestId('execution-row').allTextContents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/Approval bot/);

    await page.getByLabel('Status').selectOption('');
    await page.waitForURL((url) => !url.search.includes('status='));
    await page.getByTestId('execution-row').nth(1).waitFor();
    await page.getByLabel('Agent').selectOption({ label: 'Slow bot' });
    await page.waitForURL((url) => url.search.includes(`agent=${slowAgent}`));
    await page.getByTestId('execution-row').filter({ hasText: 'Cancelled' }).waitFor();
    rows = await page.getByTestId('execution-row').allTextContents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/Slow bot/);

    // A date range that ends before today: nothing.
    await page.getByLabel('Agent').selectOption('');
    await page.getByLabel('From', { exact: true }).fill('2020-01-01');
    await page.getByLabel('To', { exact: true }).fill('2020-01-31');
    await page.getByTestId('executions-empty').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((url) => url.search === '');
    await page.getByTestId('execution-row').nth(1).waitFor();
    expect(await page.getByTestId('execution-row').count()).toBe(2);
    await screenshot(page, 'executions-list');

    await page.getByTestId('execution-row').filter({ hasText: 'Approval bot' }).getByRole('link').click();
    await page.waitForURL(`**/executions/${approvalRun}`);
    await waitForStatus(page, 'completed');
  });

  it('cancels a long-running execution after confirmation and shows it cancelled', async () => {
    const run = await execute(slowAgent);
    await page.goto(`${webUrl}/executions/${run}`);
    await waitForStatus(page, 'running');
    await page.locator('[data-testid="run-node"][data-status="running"]').waitFor();
    await page.getByRole('button', { name: 'Cancel execution' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this execution?' });
    await dialog.waitFor();
    // Focus stays inside the dialog.
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    }
    await screenshot(page, 'execution-cancel-dialog');
    await dialog.getByRole('button', { name: 'Cancel execution' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitForStatus(page, 'cancelled', 10_000);
    expect(await page.getByRole('button', { name: 'Cancel execution' }).count()).toBe(0);
    await page.locator('[data-testid="run-node"][data-status="failed"]').waitFor();
    expect(await statusOf(page).textContent()).toBe('Cancelled');
    // Steps and logs follow without a reload.
    await page.locator('[data-testid="step-row"][data-node="wait"][data-status="failed"]').waitFor();
    await page.getByTestId('execution-logs').getByText('Execution cancelled').waitFor();
    await screenshot(page, 'execution-cancelled');
  });

  it("draws the run's graph in the app's dark palette, not React Flow's grey one", async () => {
    await page.goto(`${webUrl}/executions/${approvalRun}`);
    await waitForStatus(page, 'completed');
    const graph = page.getByTestId('execution-graph');
    await graph.locator('.react-flow.light').waitFor();
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await page.locator('html.dark').waitFor();
    // Follows the theme live, without a reload.
    await graph.locator('.react-flow.dark').waitFor();
    await screenshot(page, 'execution-graph-dark');
    const colors = await page.evaluate(() => {
      /** What a Tailwind color variable computes to here, for comparison. */
      const resolve = (variable: string) => {
        const probe = document.createElement('div');
        probe.style.backgroundColor = `var(${variable})`;
        document.body.append(probe);
        const value = getComputedStyle(probe).backgroundColor;
        probe.remove();
        return value;
      };
      const within = document.querySelector('[data-testid="execution-graph"]') as Element;
      const style = (selector: string) => getComputedStyle(within.querySelector(selector) as Element);
      return {
        canvas: style('.react-flow').backgroundColor,
        button: style('.react-flow__controls-button').backgroundColor,
        icon: style('.react-flow__controls-button').color,
        edge: style('.react-flow__edge-path').stroke,
        labelBg: style('.react-flow__edge-textbg').fill,
        slate950: resolve('--color-slate-950'),
        slate900: resolve('--color-slate-900'),
        slate500: resolve('--color-slate-500'),
        slate100: resolve('--color-slate-100'),
      };
    });
    expect(colors.canvas).toBe(colors.slate950);
    expect(colors.button).toBe(colors.slate900);
    expect(colors.icon).toBe(colors.slate100);
    expect(colors.edge).toBe(colors.slate500);
    expect(colors.labelBg).toBe(colors.slate900);
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await graph.locator('.react-flow.light').waitFor();
  });
});
