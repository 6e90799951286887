import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { QueueClosedError } from '../errors';
import { type EventBus, executionChannel } from '../events';
import { waitFor } from '../testing';

export interface EventBusFixture {
  /** The bus that subscribes. */
  bus: EventBus;
  /** The bus that publishes: a second instance (own connections) for Redis, the same one in memory. */
  publisher: EventBus;
  handlerErrors: unknown[];
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The behaviour both event buses must share, so the in-process bus is a faithful stand-in. */
export function defineEventBusContract(createFixture: () => Promise<EventBusFixture>): void {
  let fixture: EventBusFixture;
  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(async () => {
    await fixture.cleanup();
  });

  const channel = () => executionChannel(randomUUID());

  it('delivers every message in publish order', async () => {
    const ch = channel();
    const received: string[] = [];
    await fixture.bus.subscribe(ch, (message) => void received.push(message));
    const sent = Array.from({ length: 200 }, (_, i) => JSON.stringify({ seq: i }));
    for (const message of sent) await fixture.publisher.publish(ch, message);
    await waitFor(() => received.length === sent.length || undefined, { what: 'all messages' });
    expect(received).toEqual(sent);
  });

  it('keeps order for publishes that are not awaited one by one', async () => {
    const ch = channel();
    const received: string[] = [];
    await fixture.bus.subscribe(ch, (message) => void received.push(message));
    const sent = Array.from({ length: 100 }, (_, i) => `m${i}`);
    await Promise.all(sent.map((message) => fixture.publisher.publish(ch, message)));
    await waitFor(() => received.length === sent.length || undefined, { what: 'all messages' });
    expect(received).toEqual(sent);
  });

  it('delivers to every handler of a channel and only that channel', async () => {
    const ch = channel();
    const other = channel();
    const a: string[] = [];
    const b: string[] = [];
    const c: string[] = [];
    await fixture.bus.subscribe(ch, (message, from) => void a.push(`${from}|${message}`));
    await fixture.bus.subscribe(ch, (message) => void b.push(message));
    await fixture.bus.subscribe(other, (message) => void c.push(message));
    await fixture.publisher.publish(ch, 'hello');
    await waitFor(() => (a.length === 1 && b.length === 1) || undefined, { what: 'both handlers' });
    await sleep(50);
    expect(a).toEqual([`${ch}|hello`]);
    expect(b).toEqual(['hello']);
    expect(c).toEqual([]);
  });

  it('unsubscribe stops delivery to that handler only', async () => {
    const ch = channel();
    const stays: string[] = [];
    const leaves: string[] = [];
    await fixture.bus.subscribe(ch, (message) => void stays.push(message));
    const unsubscribe = await fixture.bus.subscribe(ch, (message) => void leaves.push(message));
    await fixture.publisher.publish(ch, 'one');
    await waitFor(() => leaves.length === 1 || undefined, { what: 'first message' });

    await unsubscribe();
    await unsubscribe();
    await fixture.publisher.publish(ch, 'two');
    await waitFor(() => stays.length === 2 || undefined, { what: 'second message' });
    await sleep(50);
    expect(leaves).toEqual(['one']);
    expect(stays).toEqual(['one', 'two']);
  });

  it('stops delivering once the last handler of a channel leaves, and can resubscribe', async () => {
    const ch = channel();
    const received: string[] = [];
    const unsubscribe = await fixture.bus.subscribe(ch, (message) => void received.push(message));
    await unsubscribe();
    await fixture.publisher.publish(ch, 'lost');
    await sleep(50);
    expect(received).toEqual([]);
    await fixture.bus.subscribe(ch, (message) => void received.push(message));
    await fixture.publisher.publish(ch, 'back');
    await waitFor(() => received.length === 1 || undefined, { what: 'message after resubscribe' });
    expect(received).toEqual(['back']);
  });

  it('a throwing handler neither blocks other handlers nor later messages', async () => {
    const ch = channel();
    const received: string[] = [];
    await fixture.bus.subscribe(ch, () => {
      throw new Error('handler bug');
    });
    await fixture.bus.subscribe(ch, (message) => void received.push(message));
    await fixture.publisher.publish(ch, 'a');
    await fixture.publisher.publish(ch, 'b');
    await waitFor(() => received.length === 2 || undefined, { what: 'both messages' });
    expect(received).toEqual(['a', 'b']);
    expect(fixture.handlerErrors).toHaveLength(2);
  });

  it('refuses to publish or subscribe once closed', async () => {
    await fixture.bus.close();
    await expect(fixture.bus.publish(channel(), 'x')).rejects.toBeInstanceOf(QueueClosedError);
    await expect(fixture.bus.subscribe(channel(), () => {})).rejects.toBeInstanceOf(QueueClosedError);
  });
}
