import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { closeRedis, createRedis } from '../redis';
import { REDIS_SKIP_REASON, waitFor } from '../testing';
import { defineEventBusContract } from './event-bus-contract';
import { RedisEventBus } from './redis-event-bus';

const redisUrl = process.env.REDIS_URL;
const title = (name: string) => (redisUrl ? name : `${name} (${REDIS_SKIP_REASON})`);

describe.skipIf(!redisUrl)(title('redis event bus'), () => {
  const url = redisUrl ?? '';
  const silent = { warn: () => {}, error: () => {} };
  const admin = redisUrl ? createRedis(url, { role: 'producer' }) : undefined;
  afterAll(async () => {
    if (admin) await closeRedis(admin);
  });

  describe('contract (subscriber and publisher on separate buses, i.e. separate connections)', () => {
    defineEventBusContract(async () => {
      const handlerErrors: unknown[] = [];
      const bus = new RedisEventBus({
        redisUrl: url,
        logger: silent,
        onHandlerError: (error) => void handlerErrors.push(error),
      });
      const publisher = new RedisEventBus({ redisUrl: url, logger: silent });
      return {
        bus,
        publisher,
        handlerErrors,
        cleanup: async () => {
          await bus.close();
          await publisher.close();
        },
      };
    });
  });

  it('one bus can publish to its own subscribers', async () => {
    const bus = new RedisEventBus({ redisUrl: url, logger: silent });
    const channel = `test:${randomUUID()}`;
    const received: string[] = [];
    await bus.subscribe(channel, (message) => void received.push(message));
    await bus.publish(channel, 'self');
    await waitFor(() => received.length === 1 || undefined, { what: 'own message' });
    await bus.close();
  });

  it('resubscribes after its subscriber connection is killed', async () => {
    const name = `af-test-bus-${randomUUID().slice(0, 8)}`;
    const bus = new RedisEventBus({ redisUrl: url, connectionName: name, logger: silent });
    const channel = `test:${randomUUID()}`;
    const received: string[] = [];
    await bus.subscribe(channel, (message) => void received.push(message));

    const clients = String(await admin!.call('CLIENT', 'LIST'));
    const line = clients.split('\n').find((entry) => entry.includes(`name=${name}:sub `));
    const id = line?.match(/\bid=(\d+)/)?.[1];
    expect(id, 'subscriber connection found in CLIENT LIST').toBeDefined();
    await admin!.call('CLIENT', 'KILL', 'ID', id!);

    // Publish until the reconnected subscriber receives one: messages sent while it is away are lost
    // (pub/sub is at-most-once), which is why clients replay stored events by sequence number.
    let n = 0;
    await waitFor(
      async () => {
        await admin!.publish(channel, `after-${n++}`);
        return received.length > 0 || undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'a message after reconnect' },
    );
    expect(received[0]).toMatch(/^after-\d+$/);
    await bus.close();
  });
});
