import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Debian's Chromium (Playwright's own browser download cannot work on these machines). */
export function findChromium(): string | undefined {
  return candidates.find((p): p is string => !!p && existsSync(p));
}

export async function launchBrowser(
  executablePath: string,
): Promise<{ browser: Browser; close(): Promise<void> }> {
  // launch() gives Chromium a fresh temporary profile of its own. Without the background-networking flags Chromium keeps dialing Google's hosts on a closed network.
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** Saves a full-page screenshot into E2E_ARTIFACTS_DIR (CI keeps it as an artifact). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.E2E_ARTIFACTS_DIR ?? join(import.meta.dirname, '../../../artifacts/e2e');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
