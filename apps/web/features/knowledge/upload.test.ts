import type { UploadedKnowledgeDocument } from '@agentflow/contracts';
import { AgentFlowError } from '@agentflow/sdk';
import { describe, expect, it } from 'vitest';
import { queueItems, reportedLimit, runUploads, type UploadItem } from './upload';

const doc = (duplicate: boolean) => ({ duplicate }) as UploadedKnowledgeDocument;
const tooLarge = (name: string, max: number) =>
  new AgentFlowError({
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: `File "${name}" is larger than the 1 MiB limit per file.`,
    details: { file: name, max_bytes: max },
  });

/** Runs the queue over `files` and returns each row's final state, by name. */
async function run(
  files: { name: string; size: number }[],
  upload: (file: { name: string; size: number }) => Promise<UploadedKnowledgeDocument | undefined>,
  concurrency?: number,
) {
  const items = queueItems(files);
  const state = new Map<string, UploadItem>(items.map((i) => [i.key, i]));
  const seen: string[] = [];
  await runUploads(files, items, {
    upload,
    update: (key, patch) => {
      const next = { ...(state.get(key) as UploadItem), ...patch };
      state.set(key, next);
      seen.push(`${next.name}:${next.status}`);
    },
    describeError: (err) => (err instanceof Error ? err.message : 'failed'),
    concurrency,
  });
  return { rows: Object.fromEntries([...state.values()].map((i) => [i.name, i])), seen };
}

describe('runUploads', () => {
  it('uploads each file, marks duplicates, and fails only the file that failed', async () => {
    const { rows, seen } = await run(
      [
        { name: 'a.md', size: 10 },
        { name: 'b.pdf', size: 20 },
        { name: 'c.txt', size: 30 },
      ],
      async (file) => {
        if (file.name === 'b.pdf') throw new Error('network down');
        return doc(file.name === 'c.txt');
      },
      1,
    );
    expect(rows['a.md']?.status).toBe('added');
    expect(rows['b.pdf']).toMatchObject({ status: 'failed', error: 'network down' });
    expect(rows['c.txt']?.status).toBe('duplicate');
    expect(seen.slice(0, 2)).toEqual(['a.md:uploading', 'a.md:added']);
  });

  it('after a 413 naming the limit, fails waiting files over it without sending them', async () => {
    const sent: string[] = [];
    const { rows } = await run(
      [
        { name: 'big.pdf', size: 5_000 },
        { name: 'small.md', size: 10 },
        { name: 'huge.pdf', size: 9_000 },
      ],
      async (file) => {
        sent.push(file.name);
        if (file.size > 1_000) throw tooLarge(file.name, 1_000);
        return doc(false);
      },
      1,
    );
    expect(sent).toEqual(['big.pdf', 'small.md']);
    expect(rows['big.pdf']).toMatchObject({
      status: 'failed',
      error: 'File "big.pdf" is larger than the 1 MiB limit per file.',
    });
    expect(rows['small.md']?.status).toBe('added');
    expect(rows['huge.pdf']).toMatchObject({
      status: 'failed',
      error: 'File "huge.pdf" is larger than the 1000 B limit per file.',
    });
  });

  it('runs at most `concurrency` uploads at once', async () => {
    let running = 0;
    let peak = 0;
    const files = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.txt`, size: 1 }));
    await run(
      files,
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        return doc(false);
      },
      2,
    );
    expect(peak).toBe(2);
  });
});

describe('reportedLimit / queueItems', () => {
  it('reads max_bytes only from a PAYLOAD_TOO_LARGE error', () => {
    expect(reportedLimit(tooLarge('x', 2048))).toBe(2048);
    expect(
      reportedLimit(new AgentFlowError({ status: 500, code: 'INTERNAL_ERROR', message: '' })),
    ).toBeUndefined();
    expect(reportedLimit(new Error('x'))).toBeUndefined();
  });
  it('gives every chosen file its own key, even the same file chosen twice', () => {
    const [a, b] = [...queueItems([{ name: 'a.md', size: 1 }]), ...queueItems([{ name: 'a.md', size: 1 }])];
    expect(a?.key).not.toBe(b?.key);
    expect(a?.status).toBe('waiting');
  });
});
