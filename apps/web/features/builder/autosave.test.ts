import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUTOSAVE_DELAY_MS, createAutosaver, type SaveStatus } from './autosave';

describe('autosave', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(save: (v: number) => Promise<void> = async () => {}) {
    const calls: number[] = [];
    const statuses: SaveStatus[] = [];
    const saver = createAutosaver<number>({
      save: async (v) => {
        calls.push(v);
        await save(v);
      },
      onStatus: (s) => statuses.push(s),
    });
    return { saver, calls, statuses };
  }

  it('saves once per pause, with the latest value, 800 ms after the last change', async () => {
    const { saver, calls, statuses } = setup();
    expect(AUTOSAVE_DELAY_MS).toBe(800);
    saver.schedule(1);
    await vi.advanceTimersByTimeAsync(500);
    saver.schedule(2);
    await vi.advanceTimersByTimeAsync(500);
    saver.schedule(3);
    await vi.advanceTimersByTimeAsync(799);
    expect(calls).toEqual([]);
    expect(saver.status()).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([3]);
    expect(saver.status()).toBe('saved');
    expect(statuses.at(-2)).toBe('saving');
  });

  it('never saves twice at once: a change during a save is saved after it', async () => {
    let release: () => void = () => {};
    const { saver, calls } = setup((v) =>
      v === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve(),
    );
    saver.schedule(1);
    await vi.advanceTimersByTimeAsync(800);
    expect(calls).toEqual([1]);
    saver.schedule(2);
    await vi.advanceTimersByTimeAsync(800);
    expect(calls).toEqual([1]); // still waiting for the first
    expect(saver.status()).toBe('pending');
    release();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(800);
    expect(calls).toEqual([1, 2]);
    expect(saver.status()).toBe('saved');
  });

  it('reports an error and retries the failed value on demand', async () => {
    let fail = true;
    const { saver, calls, statuses } = setup(async () => {
      if (fail) throw new Error('offline');
    });
    saver.schedule(7);
    await vi.advanceTimersByTimeAsync(800);
    expect(saver.status()).toBe('error');
    expect(statuses).toContain('error');
    fail = false;
    await saver.retry();
    expect(calls).toEqual([7, 7]);
    expect(saver.status()).toBe('saved');
  });

  it('flush saves at once without waiting for the pause', async () => {
    const { saver, calls } = setup();
    saver.schedule(5);
    await saver.flush();
    expect(calls).toEqual([5]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toEqual([5]);
  });

  it('a newer change replaces a failed value instead of retrying it', async () => {
    let fail = true;
    const { saver, calls } = setup(async () => {
      if (fail) throw new Error('offline');
    });
    saver.schedule(1);
    await vi.advanceTimersByTimeAsync(800);
    fail = false;
    saver.schedule(2);
    await vi.advanceTimersByTimeAsync(800);
    expect(calls).toEqual([1, 2]);
    expect(saver.status()).toBe('saved');
  });
});
