import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidJobIdError, InvalidJobPayloadError, UnknownQueueError } from './errors';
import { assertValidJobId, parsePayload, resolveJobId } from './payload';
import { executionJobId, queueNames, queues, scheduleTickJobId } from './registry';

const orgId = randomUUID();

function invalid(run: () => unknown): InvalidJobPayloadError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidJobPayloadError) return error;
    throw error;
  }
  throw new Error('expected InvalidJobPayloadError');
}

describe('queue registry', () => {
  it('lists the four queues under their BullMQ names', () => {
    expect(queueNames).toEqual(['executions', 'ingestion', 'schedules', 'usage-rollup']);
    for (const name of queueNames) expect(queues[name].name).toBe(name);
  });

  it('every queue defaults to a single attempt-free policy: stalled jobs fail, retention bounded', () => {
    for (const name of queueNames) {
      const { policy } = queues[name];
      expect(policy.maxStalledCount).toBe(0);
      expect(policy.keepCompleted.count).toBeGreaterThan(0);
      expect(policy.keepFailed.ageSeconds).toBeGreaterThan(0);
    }
  });

  it('accepts valid payloads and strips unknown keys', () => {
    const executionId = randomUUID();
    expect(parsePayload('executions', { execution_id: executionId, org_id: orgId, extra: 1 })).toEqual({
      execution_id: executionId,
      org_id: orgId,
    });
    expect(parsePayload('ingestion', { document_id: randomUUID(), org_id: orgId })).toBeTruthy();
    expect(
      parsePayload('schedules', {
        agent_id: randomUUID(),
        org_id: orgId,
        scheduled_for: '2026-11-20T10:00:00+01:00',
      }),
    ).toBeTruthy();
    expect(parsePayload('usage-rollup', { date: '2026-11-20' })).toEqual({ date: '2026-11-20' });
    expect(parsePayload('usage-rollup', { date: '2026-11-20', org_id: orgId }).org_id).toBe(orgId);
  });

  it('names the failing field', () => {
    const error = invalid(() => parsePayload('executions', { execution_id: 'nope', org_id: orgId }));
    expect(error.fields).toEqual(['execution_id']);
    expect(error.message).toBe('Invalid job payload for queue "executions": execution_id: Invalid UUID');
  });

  it('names every failing field, including missing ones', () => {
    const error = invalid(() => parsePayload('usage-rollup', { date: '2026-02-30', org_id: 7 }));
    expect(error.fields.sort()).toEqual(['date', 'org_id']);
    expect(invalid(() => parsePayload('ingestion', { org_id: orgId })).message).toContain('document_id');
    expect(
      invalid(() => parsePayload('schedules', { agent_id: randomUUID(), org_id: orgId })).fields,
    ).toEqual(['scheduled_for']);
  });

  it('rejects a non-object payload as a whole', () => {
    const error = invalid(() => parsePayload('executions', null));
    expect(error.fields).toEqual(['']);
    expect(error.message).toContain('(payload)');
  });

  it('mentions the job id when a consumer rejects a stored payload', () => {
    const error = invalid(() => parsePayload('executions', { org_id: orgId }, 'job-1'));
    expect(error.message).toContain('queue "executions" (job job-1)');
    expect(error.jobId).toBe('job-1');
  });

  it('rejects unknown queue names at run time', () => {
    expect(() => parsePayload('nope' as 'executions', {})).toThrow(UnknownQueueError);
  });
});

describe('job id conventions', () => {
  it('an execution job id is the execution id; re-deliveries get a suffix', () => {
    const executionId = randomUUID();
    const payload = { execution_id: executionId, org_id: orgId };
    expect(resolveJobId('executions', payload, undefined)).toBe(executionId);
    expect(executionJobId(executionId, 2)).toBe(`${executionId}.2`);
    expect(resolveJobId('executions', payload, executionJobId(executionId, 1))).toBe(`${executionId}.1`);
  });

  it('a schedule tick has one id per agent and instant, whatever the offset notation', () => {
    const agentId = randomUUID();
    const a = scheduleTickJobId(agentId, '2026-11-20T10:00:00Z');
    expect(a).toBe(scheduleTickJobId(agentId, '2026-11-20T11:00:00+01:00'));
    expect(a).toBe(scheduleTickJobId(agentId, new Date('2026-11-20T10:00:00Z')));
    expect(a).toBe(`${agentId}.${Date.parse('2026-11-20T10:00:00Z')}`);
  });

  it('queues without a natural key get a fresh UUID per enqueue', () => {
    const payload = { document_id: randomUUID(), org_id: orgId };
    const first = resolveJobId('ingestion', payload, undefined);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(resolveJobId('ingestion', payload, undefined)).not.toBe(first);
  });

  it('rejects ids BullMQ would misread', () => {
    expect(() => assertValidJobId('ingestion', '42')).toThrow(InvalidJobIdError);
    expect(() => assertValidJobId('ingestion', 'a:b')).toThrow(/must not contain ":"/);
    expect(() => assertValidJobId('ingestion', '')).toThrow(/empty/);
    expect(() => assertValidJobId('ingestion', 'x'.repeat(257))).toThrow(/at most/);
    expect(() => assertValidJobId('ingestion', 'doc-42.retry-1')).not.toThrow();
  });
});
