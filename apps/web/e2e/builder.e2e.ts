import { randomBytes } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';

const chromiumPath = inject('chromiumPath');

async function center(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('element has no box');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Draws an edge the way a person does: press on a source handle, move, release on a target handle. */
async function connect(page: Page, from: string, to: string) {
  const source = page.locator(`.react-flow__node[data-id="${from}"] .react-flow__handle.source`).first();
  const target = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`);
  const a = await center(source);
  const b = await center(target);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

describe.skipIf(!chromiumPath)('builder canvas (built web + API + worker, real browser)', () => {
  let browser: Browser;
  let close: () => Promise<void>;
  let page: Page;
  const webUrl = inject('webUrl');
  const email = `builder-${randomBytes(4).toString('hex')}@example.com`;
  const node = (id: string) => page.locator(`[data-testid="canvas-node"][data-node-id="${id}"]`);
  const saved = () =>
    page.locator('[data-testid="save-status"][data-status="saved"]').waitFor({ timeout: 15_000 });

  beforeAll(async () => {
    ({ browser, close } = await launchBrowser(chromiumPath as string));
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    page = await context.newPage();
  });
  afterAll(async () => close?.());

  it('signs up and opens a new blank agent in the builder', async () => {
    await page.goto(`${webUrl}/signup`);
    await page.getByLabel('Your name').fill('Grace Hopper');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await page.getByLabel('Organization name').fill('Compilers Inc');
    await page.getByRole('button', { name: 'Create account' }).click();
    try {
      await page.waitForURL('**/agents');
    } catch (err) {
      await screenshot(page, 'builder-signup-failed');
      throw err;
    }

    await page.getByRole('button', { name: 'New agent' }).click();
    const dialog = page.getByRole('dialog', { name: 'New agent' });
    await dialog.getByLabel('Name').fill('Builder bot');
    await dialog.getByLabel('Blank').check();
    await dialog.getByRole('button', { name: 'Create agent' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Open Builder bot in the builder' }).click();
    await page.waitForURL(/\/agents\/[0-9a-f-]{36}$/);
    await page.getByTestId('builder').waitFor();
    await node('trigger').waitFor();
  });

  it('deletes the starter trigger, then drags a trigger, an AI node and an output onto the canvas', async () => {
    // Delete with the keyboard: select the node, press Delete.
    await node('trigger').click();
    await page.keyboard.press('Delete');
    await node('trigger').waitFor({ state: 'detached' });

    const canvas = page.getByTestId('canvas');
    const box = await canvas.boundingBox();
    if (!box) throw new Error('no canvas');
    await page.getByTestId('palette-trigger.manual').dragTo(canvas, { targetPosition: { x: 150, y: 200 } });
    await node('trigger_1').waitFor();
    await page.getByTestId('palette-ai.chat').dragTo(canvas, { targetPosition: { x: 500, y: 200 } });
    await node('chat_1').waitFor();
    await page.getByTestId('palette-output.respond').dragTo(canvas, { targetPosition: { x: 850, y: 200 } });
    await node('respond_1').waitFor();
    expect(await page.locator('[data-testid="canvas-node"]').count()).toBe(3);
  });

  it('connects trigger -> AI, fills the inspector with a variable from the picker', async () => {
    await connect(page, 'trigger_1', 'chat_1');
    await page.locator('.react-flow__edge').first().waitFor();

    await node('chat_1').click();
    const inspector = page.getByTestId('inspector');
    await inspector.getByLabel('Label', { exact: true }).fill('Reply');
    const prompt = inspector.getByLabel('User prompt');
    await prompt.fill('Echo: ');
    await prompt.press('End');
    await inspector.getByRole('button', { name: 'Insert {{trigger.data.message}}' }).click();
    expect(await prompt.inputValue()).toBe('Echo: {{trigger.data.message}}');
    // Only upstream outputs are offered: nothing from the output node.
    expect(await inspector.getByTestId('variable-picker').textContent()).not.toMatch(/node_respond_1/);
    await saved();
    await screenshot(page, 'builder-inspector');
  });

  it('shows the validator problem on the unconnected output node, and clears it once connected', async () => {
    await node('respond_1').locator('[data-testid="node-problem"]').waitFor();
    expect(await node('respond_1').getAttribute('data-problem')).toBe('true');
    expect(await node('respond_1').textContent()).toMatch(/cannot be reached from the trigger/);
    await screenshot(page, 'builder-validation-error');

    await connect(page, 'chat_1', 'respond_1');
    await saved();
    await node('respond_1').locator('[data-testid="node-problem"]').waitFor({ state: 'detached' });

    // The output's body from the picker: the AI node is upstream now.
    await node('respond_1').click();
    const inspector = page.getByTestId('inspector');
    await inspector.getByLabel('Body').fill('');
    await inspector.getByLabel('Body').focus();
    await inspector.getByRole('button', { name: 'Insert {{node_chat_1.output.text}}' }).click();
    expect(await inspector.getByLabel('Body').inputValue()).toBe('{{node_chat_1.output.text}}');
    await saved();
    await page.getByTestId('problem-count').filter({ hasText: 'Valid' }).waitFor();
  });

  it('undoes and redoes with the keyboard', async () => {
    await page.getByRole('button', { name: 'Fit view', exact: true }).click();
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+z');
    // Clearing the body and inserting the variable was one burst of typing: one undo step back to {}.
    await node('respond_1').click();
    expect(await page.getByTestId('inspector').getByLabel('Body').inputValue()).toBe('{}');
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+Shift+z');
    await node('respond_1').click();
    expect(await page.getByTestId('inspector').getByLabel('Body').inputValue()).toBe(
      '{{node_chat_1.output.text}}',
    );
    await saved();
  });

  it('publishes version 1 with a change message', async () => {
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish a new version' });
    await dialog.getByLabel('Change message').fill('First version');
    await screenshot(page, 'builder-publish-dialog');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Published version 1.').waitFor();
    await page.getByTestId('agent-status').filter({ hasText: 'v1 published' }).waitFor();
  });

  it('runs the published version and watches every node turn green live', async () => {
    await page.getByRole('tab', { name: 'Test & run' }).click();
    const panel = page.getByTestId('test-panel');
    await panel.getByLabel('Trigger data (JSON)').fill('{ "message": "hello builder" }');
    await panel.getByRole('button', { name: 'Activate to run' }).click();
    await panel.getByRole('button', { name: 'Run published (v1)' }).click();
    for (const id of ['trigger_1', 'chat_1', 'respond_1']) {
      await page
        .locator(`[data-testid="canvas-node"][data-node-id="${id}"][data-run-status="completed"]`)
        .waitFor({ timeout: 30_000 });
    }
    await panel.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor();
    await node('chat_1').click();
    expect(await panel.getByTestId('run-output').textContent()).toMatch(/Echo: hello builder/);
    await screenshot(page, 'builder-live-run');
  });

  it('tests the draft (dry run) and shows each step', async () => {
    const panel = page.getByTestId('test-panel');
    await panel.getByRole('button', { name: 'Test draft' }).click();
    await panel.getByTestId('run-status').filter({ hasText: 'Test run: completed' }).waitFor();
    expect(await page.locator('[data-testid="canvas-node"][data-run-status="completed"]').count()).toBe(3);
  });

  it('publishes version 2, diffs it against 1 and rolls back to version 1', async () => {
    await page.getByRole('tab', { name: 'Inspector' }).click();
    await node('chat_1').click();
    await page.getByTestId('inspector').getByLabel('Label', { exact: true }).fill('Reply v2');
    await saved();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish a new version' });
    await dialog.getByLabel('Change message').fill('Rename the reply');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('tab', { name: 'Versions' }).click();
    const versions = page.getByTestId('versions-panel');
    await versions.getByTestId('version-row').nth(1).waitFor();
    await versions.getByRole('button', { name: 'Show diff' }).click();
    const diff = versions.getByTestId('version-diff');
    await diff.waitFor();
    expect(await diff.textContent()).toMatch(/changed Reply v2 \(chat_1\): label/);

    await versions.getByRole('button', { name: 'Roll back to version 1' }).click();
    const confirm = page.getByRole('dialog', { name: 'Roll back to version 1?' });
    await screenshot(page, 'builder-rollback-confirm');
    await confirm.getByRole('button', { name: 'Roll back', exact: true }).click();
    await confirm.waitFor({ state: 'detached' });
    const v3 = versions.getByTestId('version-row').filter({ hasText: 'Rollback to version 1' });
    await v3.waitFor();
    expect(await v3.textContent()).toMatch(/^v3.*published.*Rollback to version 1/);
    await page.getByTestId('agent-status').filter({ hasText: 'v3 published' }).waitFor();
    await screenshot(page, 'builder-versions');
  });

  it('builds an agent with a human approval node, runs it, approves it from the inbox and sees it finish', async () => {
    await page.goto(`${webUrl}/agents`);
    await page.getByRole('button', { name: 'New agent' }).click();
    const dialog = page.getByRole('dialog', { name: 'New agent' });
    await dialog.getByLabel('Name').fill('Approval bot');
    await dialog.getByLabel('Blank').check();
    await dialog.getByRole('button', { name: 'Create agent' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Open Approval bot in the builder' }).click();
    await page.waitForURL(/\/agents\/[0-9a-f-]{36}$/);
    await node('trigger').waitFor();

    const canvas = page.getByTestId('canvas');
    await page.getByTestId('palette-human.approval').dragTo(canvas, { targetPosition: { x: 500, y: 200 } });
    await node('approval_1').waitFor();
    await page.getByTestId('palette-output.respond').dragTo(canvas, { targetPosition: { x: 850, y: 200 } });
    await node('respond_1').waitFor();
    await connect(page, 'trigger', 'approval_1');
    // The first source handle of a human node is its `approved` branch.
    await connect(page, 'approval_1', 'respond_1');
    await node('approval_1').click();
    await page
      .getByTestId('inspector')
      .getByLabel(/^Message/)
      .fill('Ship the release?');
    await saved();
    await page.getByTestId('problem-count').filter({ hasText: 'Valid' }).waitFor();

    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const publish = page.getByRole('dialog', { name: 'Publish a new version' });
    await publish.getByLabel('Change message').fill('With approval');
    await publish.getByRole('button', { name: 'Publish', exact: true }).click();
    await publish.waitFor({ state: 'detached' });

    await page.getByRole('tab', { name: 'Test & run' }).click();
    const panel = page.getByTestId('test-panel');
    await panel.getByRole('button', { name: 'Activate to run' }).click();
    await panel.getByRole('button', { name: 'Run published (v1)' }).click();
    await page
      .locator('[data-testid="canvas-node"][data-node-id="approval_1"][data-run-status="waiting"]')
      .waitFor({ timeout: 30_000 });
    await screenshot(page, 'builder-waiting-approval');

    // Decide from the inbox in another tab; the canvas keeps watching the run live.
    const inbox = await page.context().newPage();
    await inbox.goto(`${webUrl}/approvals`);
    const row = inbox.getByTestId('approval-row').filter({ hasText: 'Approval bot' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Approve' }).click();
    await inbox.getByTestId('approval-decided').waitFor();
    await inbox.close();

    for (const id of ['approval_1', 'respond_1']) {
      await page
        .locator(`[data-testid="canvas-node"][data-node-id="${id}"][data-run-status="completed"]`)
        .waitFor({ timeout: 30_000 });
    }
    await panel.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor();
    await screenshot(page, 'builder-approved-run');
  });

  it("styles React Flow's controls and minimap with the app's dark palette", async () => {
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await page.locator('html.dark').waitFor();
    await page.locator('.react-flow.dark').waitFor();
    await screenshot(page, 'builder-dark');
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
      const button = getComputedStyle(document.querySelector('.react-flow__controls-button') as Element);
      const minimap = getComputedStyle(document.querySelector('.react-flow__minimap') as Element);
      return {
        button: button.backgroundColor,
        icon: button.color,
        minimap: minimap.backgroundColor,
        slate900: resolve('--color-slate-900'),
        slate100: resolve('--color-slate-100'),
        slate950: resolve('--color-slate-950'),
      };
    });
    expect(colors.button).toBe(colors.slate900);
    expect(colors.icon).toBe(colors.slate100);
    expect(colors.minimap).toBe(colors.slate950);
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
  });
});
