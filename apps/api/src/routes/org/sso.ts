import { type SsoConfig, ssoConfigBodySchema, ssoConfigSchema } from '@agentflow/contracts';
import { deleteOrgSsoConfig, getOrgSsoConfig, type OrgSsoConfig, putOrgSsoConfig } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, serviceContext } from '../../auth';
import { userOnlySecurity } from './openapi';

export interface OrgSsoRouteOptions {
  /** The SSO callback URL; the sign-in start URL shown to admins is its `authorize` sibling. */
  ssoRedirectUri: string;
}

/**
 * The org's SSO setup (issue 3 item 2): which WorkOS organization (and optionally connection) its
 * members sign in through, and the role given to people provisioned on their first SSO sign-in. An
 * admin task like managing members (`members:manage`: owner and admin); never with an API key.
 */
export const orgSsoRoutes: FastifyPluginAsyncZod<OrgSsoRouteOptions> = async (app, options) => {
  const tags = ['organization'];
  const present = (slug: string, config: OrgSsoConfig | undefined): SsoConfig => ({
    configured: !!config,
    workos_organization_id: config?.workosOrganizationId ?? null,
    connection_id: config?.connectionId ?? null,
    default_role: config?.defaultRole ?? null,
    enforce: config?.enforce ?? false,
    authorize_url: config ? authorizeUrl(options.ssoRedirectUri, slug) : null,
  });

  app.get(
    '/org/sso',
    {
      onRequest: authorize('members:manage'),
      schema: {
        tags,
        summary: "The organization's SSO configuration (admin)",
        security: userOnlySecurity,
        response: { 200: ssoConfigSchema },
      },
    },
    async (request) => {
      const { slug, config } = await getOrgSsoConfig(serviceContext(request));
      return present(slug, config);
    },
  );

  app.put(
    '/org/sso',
    {
      onRequest: authorize('members:manage'),
      schema: {
        tags,
        summary: 'Configure SSO through WorkOS (admin; audited `sso.configured`)',
        description:
          '`default_role` (admin, editor or viewer; never owner) is given to users provisioned on their first ' +
          'SSO sign-in; existing members keep their role. A WorkOS organization already connected to another ' +
          'organization is a 409.',
        security: userOnlySecurity,
        body: ssoConfigBodySchema,
        response: { 200: ssoConfigSchema },
      },
    },
    async (request) => {
      const { slug, config } = await putOrgSsoConfig(serviceContext(request), request.body);
      return present(slug, config);
    },
  );

  app.delete(
    '/org/sso',
    {
      onRequest: authorize('members:manage'),
      schema: {
        tags,
        summary: 'Turn SSO off (admin; audited `sso.removed`). Accounts and memberships are kept.',
        security: userOnlySecurity,
        response: { 204: z.null().describe('SSO removed') },
      },
    },
    async (request, reply) => {
      await deleteOrgSsoConfig(serviceContext(request));
      return reply.code(204).send(null);
    },
  );
};

function authorizeUrl(redirectUri: string, slug: string): string {
  const url = new URL('authorize', redirectUri);
  url.search = new URLSearchParams({ org: slug }).toString();
  return url.toString();
}
