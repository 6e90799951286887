import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { findChromium } from './browser';
import { type Fakes, startFakes } from './fakes';
import { type Stack, startStack } from './stack';

declare module 'vitest' {
  export interface ProvidedContext {
    chromiumPath: string | null;
    webUrl: string;
    apiUrl: string;
    redis: boolean;
    /** Control server of the fake WorkOS and SMTP server (fakes-client.ts). */
    fakesUrl: string;
  }
}

let stack: Stack | undefined;
let fakes: Fakes | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

/** A database of its own for this run, on the server DATABASE_URL points at. */
async function freshDatabase(serverUrl: string): Promise<string> {
  // `af_test_<base-36 creation time>_...`, the shape packages/db's test harness reads: it drops test
  // databases older than 6 h when any suite starts, and read "e2e" as a 1970 timestamp, which dropped this
  // one under a running stack whenever another suite started meanwhile.
  const name = `af_test_${Date.now().toString(36)}_e2e${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  dropDatabase = async () => {
    const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await sql.unsafe(`drop database if exists ${name} with (force)`);
    await sql.end();
  };
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export default async function setup(project: TestProject) {
  const chromiumPath = findChromium();
  if (!chromiumPath) {
    if (process.env.E2E_REQUIRED) {
      throw new Error(
        'e2e: E2E_REQUIRED is set but no Chromium was found (bash infra/scripts/install-chromium.sh)',
      );
    }
    process.stderr.write(
      '\ne2e: SKIPPING the browser suite: no Chromium at /usr/bin/chromium (set CHROMIUM_PATH, or run ' +
        'bash infra/scripts/install-chromium.sh). CI installs it and always runs this suite.\n\n',
    );
    project.provide('chromiumPath', null);
    project.provide('webUrl', '');
    project.provide('apiUrl', '');
    project.provide('redis', false);
    project.provide('fakesUrl', '');
    return;
  }
  const databaseUrl = process.env.DATABASE_URL ? await freshDatabase(process.env.DATABASE_URL) : undefined;
  fakes = await startFakes();
  try {
    stack = await startStack({ databaseUrl, redisUrl: process.env.REDIS_URL, apiEnv: fakes.apiEnv });
  } catch (error) {
    await fakes.close();
    await dropDatabase?.();
    throw error;
  }
  project.provide('chromiumPath', chromiumPath);
  project.provide('webUrl', stack.webUrl);
  project.provide('apiUrl', stack.apiUrl);
  project.provide('redis', !!process.env.REDIS_URL);
  project.provide('fakesUrl', fakes.controlUrl);

  return async () => {
    await stack?.stop();
    await fakes?.close();
    await dropDatabase?.();
  };
}
