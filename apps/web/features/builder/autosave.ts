/**
 * Debounced saving of the draft: `schedule` after every change, one PUT per pause (`delay`, 800 ms),
 * never two at once (a change during a save is saved right after), `retry` after an error, `flush`
 * before publishing or leaving. Framework-free so its timing is tested with fake timers.
 */
export type SaveStatus = 'idle' | 'pending' | 'saving' | 'saved' | 'error';

export interface AutosaverOptions<T> {
  save(value: T): Promise<void>;
  delay?: number;
  onStatus?(status: SaveStatus, error?: unknown): void;
}

export interface Autosaver<T> {
  schedule(value: T): void;
  /** Saves the latest scheduled value now; resolves when nothing is left to save. */
  flush(): Promise<void>;
  retry(): Promise<void>;
  status(): SaveStatus;
  dispose(): void;
}

export const AUTOSAVE_DELAY_MS = 800;

export function createAutosaver<T>(opts: AutosaverOptions<T>): Autosaver<T> {
  const delay = opts.delay ?? AUTOSAVE_DELAY_MS;
  let status: SaveStatus = 'idle';
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The value waiting to be saved (undefined: nothing pending). */
  let pending: { value: T } | undefined;
  let lastFailed: { value: T } | undefined;
  let inflight: Promise<void> | undefined;
  let disposed = false;

  const setStatus = (next: SaveStatus, error?: unknown) => {
    status = next;
    opts.onStatus?.(next, error);
  };

  const run = async (): Promise<void> => {
    if (inflight) {
      await inflight;
      return run();
    }
    clearTimeout(timer);
    timer = undefined;
    const item = pending ?? lastFailed;
    if (!item || disposed) return;
    pending = undefined;
    lastFailed = undefined;
    setStatus('saving');
    inflight = (async () => {
      try {
        await opts.save(item.value);
        if (!pending) setStatus('saved');
      } catch (err) {
        // Only the newest value matters: a failed one is retried unless a newer one replaced it.
        if (!pending) {
          lastFailed = item;
          setStatus('error', err);
        }
      } finally {
        inflight = undefined;
      }
    })();
    await inflight;
    if (pending && !disposed && timer === undefined) return run();
  };

  return {
    schedule(value) {
      if (disposed) return;
      pending = { value };
      lastFailed = undefined;
      setStatus('pending');
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        void run();
      }, delay);
    },
    flush: () => run(),
    retry: () => run(),
    status: () => status,
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
