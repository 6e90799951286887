import { approvalDecisionSchema, nodeCatalog } from '@agentflow/contracts';
import { EngineError } from '../errors';
import { defineHandler } from './types';

export const transformSetHandler = defineHandler({
  type: 'transform',
  subtype: 'set',
  replayable: true,
  configSchema: nodeCatalog.transform.set.configSchema,
  run({ config, nodeId }) {
    let base: Record<string, unknown> = {};
    if (config.source !== undefined) {
      const source: unknown = config.source;
      if (source === null || typeof source !== 'object' || Array.isArray(source)) {
        throw new EngineError(
          'TRANSFORM_SOURCE_NOT_OBJECT',
          `Set "${nodeId}": "source" must resolve to an object`,
        );
      }
      base = { ...(source as Record<string, unknown>) };
    }
    if (config.pick)
      base = Object.fromEntries(config.pick.filter((k) => Object.hasOwn(base, k)).map((k) => [k, base[k]]));
    for (const k of config.omit ?? []) delete base[k];
    for (const [from, to] of Object.entries(config.rename ?? {})) {
      if (!Object.hasOwn(base, from)) continue;
      base[to] = base[from];
      delete base[from];
    }
    return { output: { ...base, ...config.values } };
  },
});

/**
 * Human approval: pauses with interrupt(); the resume value is `{ decision, comment?, by? }`.
 * Everything before interrupt() runs again on resume, so nothing here has side effects: notifying
 * approvers is the executions layer's job when it sees the `step.waiting_approval` event.
 */
export const humanApprovalHandler = defineHandler({
  type: 'human',
  subtype: 'approval',
  configSchema: nodeCatalog.human.approval.configSchema,
  run({ config, nodeId, services, interrupt }) {
    const request = {
      kind: 'approval' as const,
      node_id: nodeId,
      message: config.message,
      approvers: config.approvers,
      timeout_seconds: config.timeout_seconds,
      on_timeout: config.on_timeout,
      expires_at: new Date(services.now() + config.timeout_seconds * 1000).toISOString(),
    };
    const parsed = approvalDecisionSchema.safeParse(interrupt(request));
    if (!parsed.success) {
      throw new EngineError(
        'APPROVAL_RESUME_INVALID',
        `Approval "${nodeId}" was resumed with an invalid value: expected { decision: "approve" | "reject" | "timeout", comment?, by? }`,
      );
    }
    const { decision, comment, by } = parsed.data;
    const timedOut = decision === 'timeout';
    if (timedOut && config.on_timeout === 'fail') {
      throw new EngineError(
        'APPROVAL_TIMED_OUT',
        `Approval "${nodeId}" timed out after ${config.timeout_seconds} s`,
      );
    }
    const approved = timedOut ? config.on_timeout === 'approve' : decision === 'approve';
    return {
      output: {
        decision: approved ? 'approved' : 'rejected',
        approved,
        timed_out: timedOut,
        comment: comment ?? null,
        by: by ?? null,
      },
      branch: approved ? 'approved' : 'rejected',
    };
  },
});

export const outputRespondHandler = defineHandler({
  type: 'output',
  subtype: 'respond',
  replayable: true,
  configSchema: nodeCatalog.output.respond.configSchema,
  run({ config }) {
    return {
      output: { body: config.body ?? null, status_code: config.status_code, headers: config.headers },
    };
  },
});
