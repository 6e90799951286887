import type { Retention } from '../registry';

/**
 * Finished job ids in finish order, evicted like BullMQ's removeOnComplete/removeOnFail: by count and
 * age, evaluated only when another job finishes. Keeps dedup semantics identical across drivers.
 */
export class FinishedLog {
  private readonly entries: { jobId: string; finishedAt: number }[] = [];

  constructor(private readonly retention: Retention) {}

  /** Records a finished job and returns the ids that fall out of retention. */
  add(jobId: string, now = Date.now()): string[] {
    this.entries.push({ jobId, finishedAt: now });
    const evicted: string[] = [];
    const oldestAllowed = now - this.retention.ageSeconds * 1000;
    while (this.entries.length > 0) {
      const first = this.entries[0]!;
      if (this.entries.length <= this.retention.count && first.finishedAt >= oldestAllowed) break;
      this.entries.shift();
      evicted.push(first.jobId);
    }
    return evicted;
  }
}
