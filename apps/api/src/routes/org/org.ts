import { orgSchema, updateOrgBodySchema } from '@agentflow/contracts';
import { getOrg, updateOrg } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authorize, serviceContext } from '../../auth';
import { userOnlySecurity, userSecurity } from './openapi';

export const orgSettingsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/org',
    {
      onRequest: authorize('org:view'),
      schema: {
        tags: ['organization'],
        summary: 'The current organization',
        security: userSecurity,
        response: { 200: orgSchema },
      },
    },
    async (request) => getOrg(serviceContext(request)),
  );

  app.put(
    '/org',
    {
      // No org-settings permission exists in the §8.2 matrix; editing the org is an admin task like
      // managing its members (owner and admin).
      onRequest: authorize('members:manage'),
      schema: {
        tags: ['organization'],
        summary: 'Update name, slug or settings (admin)',
        description:
          '`settings` is merged key by key into the stored settings; a key set to `null` is removed. ' +
          'A slug already used by another organization is a 409.',
        security: userOnlySecurity,
        body: updateOrgBodySchema,
        response: { 200: orgSchema },
      },
    },
    async (request) => updateOrg(serviceContext(request), request.body),
  );
};
