import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRoutes } from '../test-support/fixture-routes';
import { createTestApp, sharedTestDatabase } from '../test-support/test-app';

const db = sharedTestDatabase();
beforeAll(() => db.setup());
afterAll(() => db.teardown());

describe('while draining', () => {
  it('finishes the in-flight request with Connection: close', async () => {
    const { app, logs } = await createTestApp({ database: db.get(), plugins: [fixtureRoutes] });
    const port = await listen(app);
    const slow = rawConnection(port);
    await slow.connected;
    slow.socket.write('GET /api/v1/test/slow?ms=300 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await waitUntil(() => logs.lines().some((line) => line.msg === 'incoming request'));
    await app.close();
    await slow.closed;
    expect(slow.received()).toMatch(/^HTTP\/1\.1 200/);
    // Without it the keep-alive socket would outlive the response and hold close() open.
    expect(slow.received()).toMatch(/connection: close/i);
  });

  it('answers a request that arrives mid-drain with a 503 envelope', async () => {
    const { app, logs } = await createTestApp({ database: db.get(), plugins: [fixtureRoutes] });
    const port = await listen(app);
    // Keeps the drain open long enough for the late request.
    const slow = rawConnection(port);
    await slow.connected;
    slow.socket.write('GET /api/v1/test/slow?ms=500 HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitUntil(() => logs.lines().some((line) => line.msg === 'incoming request'));

    // A request whose headers are still arriving when the drain starts: its connection is not idle,
    // so it survives close() and is routed after the drain began.
    const late = rawConnection(port);
    await late.connected;
    late.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = app.close();
    await new Promise((resolve) => setTimeout(resolve, 50)); // let preClose run
    late.socket.write('\r\n');

    await closing;
    await late.closed;
    const response = late.received();
    expect(response).toMatch(/^HTTP\/1\.1 503/);
    expect(response).toMatch(/connection: close/i);
    const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
    expect(body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: {} });
    expect(body.error.request_id).toMatch(/^req_/);
  });
});

async function listen(app: Awaited<ReturnType<typeof createTestApp>>['app']): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function rawConnection(port: number) {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    received += chunk;
  });
  return {
    socket,
    connected: new Promise((resolve) => socket.once('connect', resolve)),
    closed: new Promise((resolve) => socket.once('close', resolve)),
    received: () => received,
  };
}

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
