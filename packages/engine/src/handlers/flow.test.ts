import { nodeCatalog } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import { handlerContext } from '../test-utils';
import { humanApprovalHandler, outputRespondHandler, transformSetHandler } from './flow';

describe('transform.set', () => {
  it('picks, omits and renames from a source object, then sets values', async () => {
    const config = nodeCatalog.transform.set.configSchema.parse({
      source: 'x',
      pick: ['a', 'b', 'c'],
      omit: ['b'],
      rename: { a: 'alpha' },
      values: { z: 1 },
    });
    const out = await transformSetHandler.run(
      handlerContext({ ...config, source: { a: 1, b: 2, c: 3, d: 4 } as never }),
    );
    expect(out).toEqual({ output: { alpha: 1, c: 3, z: 1 } });
    await expect(async () =>
      transformSetHandler.run(handlerContext({ ...config, source: [1] as never })),
    ).rejects.toMatchObject({
      code: 'TRANSFORM_SOURCE_NOT_OBJECT',
    });
  });
});

describe('human.approval', () => {
  const config = nodeCatalog.human.approval.configSchema.parse({
    message: 'Ship it?',
    approvers: { roles: ['admin'] },
    timeout_seconds: 3600,
  });
  const run = async (resume: unknown, extra = {}) => {
    const requests: unknown[] = [];
    const ctx = handlerContext(
      { ...config, ...extra },
      {
        interrupt: (value) => {
          requests.push(value);
          return resume;
        },
      },
    );
    return { ...(await humanApprovalHandler.run(ctx)), requests };
  };

  it('asks through interrupt() and maps the decision to a branch', async () => {
    const approved = await run({ decision: 'approve', by: 'u1', comment: 'ok' });
    expect(approved).toMatchObject({
      branch: 'approved',
      output: { decision: 'approved', approved: true, by: 'u1', comment: 'ok' },
    });
    expect(approved.requests[0]).toMatchObject({
      kind: 'approval',
      message: 'Ship it?',
      approvers: { roles: ['admin'] },
      timeout_seconds: 3600,
    });
    expect(await run({ decision: 'reject' })).toMatchObject({
      branch: 'rejected',
      output: { approved: false, by: null },
    });
  });

  it('applies on_timeout', async () => {
    expect(await run({ decision: 'timeout' })).toMatchObject({
      branch: 'rejected',
      output: { timed_out: true },
    });
    expect(await run({ decision: 'timeout' }, { on_timeout: 'approve' })).toMatchObject({
      branch: 'approved',
    });
    await expect(run({ decision: 'timeout' }, { on_timeout: 'fail' })).rejects.toMatchObject({
      code: 'APPROVAL_TIMED_OUT',
    });
  });

  it('refuses a malformed resume value', async () => {
    await expect(run({ decision: 'maybe' })).rejects.toMatchObject({ code: 'APPROVAL_RESUME_INVALID' });
  });
});

describe('output.respond', () => {
  it('returns the body with status and headers', async () => {
    const config = nodeCatalog.output.respond.configSchema.parse({ body: { ok: true }, status_code: 201 });
    expect(await outputRespondHandler.run(handlerContext(config))).toEqual({
      output: { body: { ok: true }, status_code: 201, headers: {} },
    });
  });
});
