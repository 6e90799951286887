import { describe, expect, it } from 'vitest';
import { defineEventBusContract } from './event-bus-contract';
import { MemoryEventBus } from './memory-event-bus';

describe('memory event bus: contract', () => {
  defineEventBusContract(async () => {
    const handlerErrors: unknown[] = [];
    const bus = new MemoryEventBus({ onHandlerError: (error) => void handlerErrors.push(error) });
    return { bus, publisher: bus, handlerErrors, cleanup: () => bus.close() };
  });
});

describe('memory event bus specifics', () => {
  it('delivers after publish returns, never inside it', async () => {
    const bus = new MemoryEventBus();
    const received: string[] = [];
    await bus.subscribe('c', (message) => void received.push(message));
    const publishing = bus.publish('c', 'x');
    expect(received).toEqual([]);
    await publishing;
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual(['x']);
    await bus.close();
  });
});
