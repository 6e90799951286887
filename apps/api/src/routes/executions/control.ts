import {
  approvalListQuerySchema,
  approvalSchema,
  approveExecutionBodySchema,
  approveExecutionResultSchema,
  cancelExecutionResultSchema,
  executionParamsSchema,
  pageSchema,
} from '@agentflow/contracts';
import { cancelExecution, decideApproval, type ExecutionQueue, listApprovals } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authorize, requireUser, serviceContext } from '../../auth';
import { userSecurity } from '../org/openapi';

export interface ExecutionControlRoutesOptions {
  queue: ExecutionQueue;
}

/** Cancel, approve/reject and the approvals inbox (issue 5 items 5-6), under /api/v1. */
export const executionControlRoutes: FastifyPluginAsyncZod<ExecutionControlRoutesOptions> = async (
  app,
  options,
) => {
  const tags = ['executions'];
  const security = userSecurity;

  app.post(
    '/executions/:id/cancel',
    {
      onRequest: authorize('agents:execute'),
      schema: {
        tags,
        summary: 'Cancel an execution',
        description:
          'A pending or waiting execution ends `cancelled` at once. A running one is stopped by the ' +
          'worker running it within about a second (`cancel_requested: true` until then; follow the ' +
          'stream for `execution.cancelled`). Cancelling a cancelled execution is a no-op; a finished ' +
          'one answers 409 EXECUTION_NOT_CANCELLABLE.',
        security,
        params: executionParamsSchema,
        response: { 202: cancelExecutionResultSchema },
      },
    },
    async (request, reply) => {
      const result = await cancelExecution(serviceContext(request), request.params.id, {
        events: app.eventBus,
      });
      return reply.code(202).send(result);
    },
  );

  app.post(
    '/executions/:id/approve',
    {
      onRequest: authorize('executions:view'),
      schema: {
        tags,
        summary: 'Approve or reject the step an execution waits on',
        description:
          'Signed-in people only. Editors and above may decide, and so may the approvers the human ' +
          'node names (user ids or roles). The execution resumes from its checkpoint on any worker; ' +
          'the decision, comment and author are audited and become the human step’s output. ' +
          '409 EXECUTION_NOT_WAITING_APPROVAL when there is nothing to decide (e.g. decided already).',
        security,
        params: executionParamsSchema,
        body: approveExecutionBodySchema,
        response: { 202: approveExecutionResultSchema },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const result = await decideApproval(
        serviceContext(request),
        { userId: user.userId, role: user.role },
        request.params.id,
        request.body,
        { queue: options.queue, events: app.eventBus },
      );
      return reply.code(202).send(result);
    },
  );

  app.get(
    '/approvals',
    {
      onRequest: authorize('executions:view'),
      schema: {
        tags,
        summary: 'Pending approvals the caller may decide, newest first',
        security,
        querystring: approvalListQuerySchema,
        response: { 200: pageSchema(approvalSchema) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      return listApprovals(serviceContext(request), { userId: user.userId, role: user.role }, request.query);
    },
  );
};
