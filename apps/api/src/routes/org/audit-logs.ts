import { auditLogQuerySchema, auditLogSchema, pageSchema } from '@agentflow/contracts';
import { listAuditLogs } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authorize, serviceContext } from '../../auth';
import { userOnlySecurity } from './openapi';

export const auditLogRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/org/audit-logs',
    {
      onRequest: authorize('audit:view'),
      schema: {
        tags: ['audit'],
        summary: 'Audit trail (newest first)',
        description:
          'Filters combine with AND. `user_id` = actions by that user; `from` inclusive, `to` exclusive. ' +
          'Pass `next_cursor` as `cursor` for the next page.',
        security: userOnlySecurity,
        querystring: auditLogQuerySchema,
        response: { 200: pageSchema(auditLogSchema) },
      },
    },
    async (request) => listAuditLogs(serviceContext(request), request.query),
  );
};
