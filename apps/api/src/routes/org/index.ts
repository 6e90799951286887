import type { Mailer } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { acceptInvitationRoutes } from './accept-invitation';
import { apiKeyRoutes } from './api-keys';
import { auditLogRoutes } from './audit-logs';
import { invitationRoutes } from './invitations';
import { memberRoutes } from './members';
import { orgSettingsRoutes } from './org';
import { orgSsoRoutes } from './sso';
import { teamRoutes } from './teams';

export interface OrgRoutesOptions {
  mailer: Mailer;
  /** Web app base URL for the links in invitation emails. */
  appUrl: string;
  /** SSO callback URL (the admin endpoint shows the matching sign-in start URL). */
  ssoRedirectUri?: string | undefined;
}

/** Organization, members, invitations, teams, API keys and audit log (seed 004 §4.2), under /api/v1. */
export const orgRoutes: FastifyPluginAsyncZod<OrgRoutesOptions> = async (app, options) => {
  await app.register(orgSettingsRoutes);
  await app.register(memberRoutes);
  await app.register(invitationRoutes, { mailer: options.mailer, appUrl: options.appUrl });
  await app.register(acceptInvitationRoutes);
  await app.register(teamRoutes);
  await app.register(apiKeyRoutes);
  await app.register(auditLogRoutes);
  await app.register(orgSsoRoutes, {
    ssoRedirectUri: options.ssoRedirectUri ?? `${options.appUrl}/api/v1/auth/sso/callback`,
  });
};
