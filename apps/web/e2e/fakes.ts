import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestSmtpServer, type TestSmtpServer } from '@agentflow/services/testing/smtp';
import { type FakeProfileInput, type FakeWorkos, startFakeWorkos } from '@agentflow/services/testing/workos';

/**
 * The outside world the API talks to, faked for the browser suite: WorkOS (SSO) and an SMTP server
 * (invitation emails). They live in the global-setup process, so the test files reach them through a
 * small HTTP control server (see fakes-client.ts).
 */
export interface Fakes {
  /** Environment that points the API at the fakes. */
  apiEnv: Record<string, string>;
  controlUrl: string;
  close(): Promise<void>;
}

export async function startFakes(): Promise<Fakes> {
  const workos: FakeWorkos = await startFakeWorkos();
  const smtp: TestSmtpServer = await startTestSmtpServer();
  const control: Server = createServer((req, res) => {
    handle(req, workos, smtp)
      .then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body ?? null));
      })
      .catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(error) }));
      });
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const { port } = control.address() as AddressInfo;
  return {
    apiEnv: {
      WORKOS_API_KEY: workos.apiKey,
      WORKOS_CLIENT_ID: workos.clientId,
      WORKOS_API_URL: workos.url,
      SMTP_URL: smtp.url,
    },
    controlUrl: `http://127.0.0.1:${port}`,
    async close() {
      control.closeAllConnections();
      await new Promise<void>((resolve) => control.close(() => resolve()));
      await workos.close();
      await smtp.close();
    },
  };
}

async function handle(
  req: IncomingMessage,
  workos: FakeWorkos,
  smtp: TestSmtpServer,
): Promise<{ status: number; body?: unknown }> {
  const url = new URL(req.url ?? '/', 'http://control');
  if (req.method === 'POST' && url.pathname === '/workos/login-as') {
    workos.loginAs(JSON.parse(await read(req)) as FakeProfileInput);
    return { status: 200, body: { ok: true } };
  }
  if (req.method === 'GET' && url.pathname === '/mail') {
    // The newest message to `to`, waiting for it to arrive (the API sends after its commit).
    const to = (url.searchParams.get('to') ?? '').toLowerCase();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const found = smtp.received.filter((m) => m.to.some((t) => t.toLowerCase() === to)).at(-1);
      if (found) return { status: 200, body: { to: found.to, text: found.decoded } };
      await new Promise((r) => setTimeout(r, 100));
    }
    return { status: 404, body: { error: `no mail to ${to}` } };
  }
  return { status: 404, body: { error: 'unknown control route' } };
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
