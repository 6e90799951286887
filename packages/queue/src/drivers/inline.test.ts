import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitForJobState } from '../testing';
import { defineDriverContract } from './driver-contract';
import { InlineQueueDriver } from './inline';
import { FinishedLog } from './inline-retention';

describe('inline driver: queue contract', () => {
  defineDriverContract(async () => {
    const driver = new InlineQueueDriver();
    return { driver, cleanup: async () => void (await driver.close({ timeoutMs: 1_000 })) };
  });
});

describe('inline driver specifics', () => {
  it('never runs a processor inside the enqueue call', async () => {
    const driver = new InlineQueueDriver();
    let ran = false;
    await driver.consume('ingestion', async () => {
      ran = true;
    });
    const { jobId } = await driver.enqueue('ingestion', { document_id: randomUUID(), org_id: randomUUID() });
    expect(ran).toBe(false);
    await waitForJobState(driver, 'ingestion', jobId, 'completed');
    expect(ran).toBe(true);
    await driver.close();
  });

  it('stores a copy: mutating the payload after enqueue does not reach the processor', async () => {
    const driver = new InlineQueueDriver();
    const payload = { document_id: randomUUID(), org_id: randomUUID() };
    const original = payload.document_id;
    const { jobId } = await driver.enqueue('ingestion', payload);
    payload.document_id = randomUUID();
    const seen: string[] = [];
    await driver.consume('ingestion', async (p) => void seen.push(p.document_id));
    await waitForJobState(driver, 'ingestion', jobId, 'completed');
    expect(seen).toEqual([original]);
    await driver.close();
  });
});

describe('finished-job retention', () => {
  it('evicts by count, oldest first', () => {
    const log = new FinishedLog({ ageSeconds: 3600, count: 2 });
    expect(log.add('a', 1_000)).toEqual([]);
    expect(log.add('b', 2_000)).toEqual([]);
    expect(log.add('c', 3_000)).toEqual(['a']);
  });

  it('evicts by age when the next job finishes', () => {
    const log = new FinishedLog({ ageSeconds: 10, count: 100 });
    log.add('a', 0);
    log.add('b', 5_000);
    expect(log.add('c', 12_000)).toEqual(['a']);
  });
});
