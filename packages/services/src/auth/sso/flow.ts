import { AppError } from '@agentflow/contracts';
import { type Db, withOrg } from '@agentflow/db';
import { recordAudit } from '../../audit';
import type { RequestMeta } from '../types';
import { findSsoOrgBySlug, loadSsoConfig, type OrgSsoConfig } from './config';
import { type ProvisionedUser, provisionSsoUser } from './provision';
import type { SsoStateSigner } from './state';
import type { SsoIdentity, WorkosSso } from './workos';

export interface SsoDeps {
  db: Db;
  workos: WorkosSso;
  state: SsoStateSigner;
}

const notConfigured = () =>
  new AppError('SSO_NOT_CONFIGURED', 'Single sign-on is not configured for this organization.');

/**
 * Step 1: the WorkOS authorization URL for the org with `slug`, and the cookie value binding the flow
 * to this browser. An unknown slug and an org without SSO get the same 404 (slugs are not an oracle).
 */
export async function beginSsoLogin(deps: SsoDeps, slug: string): Promise<{ url: string; cookie: string }> {
  const org = await findSsoOrgBySlug(deps.db, slug);
  if (!org) throw notConfigured();
  const { state, cookie } = await deps.state.create(org.orgId);
  const url = deps.workos.authorizationUrl({
    organizationId: org.config.workosOrganizationId,
    connectionId: org.config.connectionId,
    state,
  });
  return { url, cookie };
}

export interface SsoCallbackInput {
  state?: string | undefined;
  /** The browser's state cookie. */
  cookie?: string | undefined;
  code?: string | undefined;
  /** WorkOS redirected with an error instead of a code (user cancelled, profile outside the org ...). */
  error?: string | undefined;
}

/**
 * Step 2: checks the state against the browser's cookie, exchanges the code, checks the profile belongs
 * to the org's WorkOS organization (and pinned connection), provisions the user. Returns who to sign in;
 * the caller issues the session (the API's `startSession`, audited `auth.sso_login`).
 */
export async function completeSsoLogin(
  deps: SsoDeps,
  input: SsoCallbackInput,
  meta: RequestMeta,
): Promise<ProvisionedUser & { orgId: string }> {
  // First, before anything else is looked at: nothing from an unbound callback is trusted or used.
  const { orgId } = await deps.state.verify(input.state, input.cookie);
  if (input.error) {
    throw new AppError('SSO_LOGIN_FAILED', 'The identity provider did not complete the sign-in.', {
      reason: 'provider_error',
      provider_error: input.error.slice(0, 100),
    });
  }
  if (!input.code) {
    throw new AppError('SSO_LOGIN_FAILED', 'The sign-in response had no code; start again.', {
      reason: 'missing_code',
    });
  }
  const config = await loadSsoConfig(deps.db, orgId);
  if (!config) throw notConfigured();
  const identity = await deps.workos.exchangeCode(input.code);
  const mismatch = mismatchOf(config, identity);
  if (mismatch) {
    // Committed on its own: the attempt is refused, but the org's admins must be able to see it.
    await withOrg(deps.db, orgId, (tx) =>
      recordAudit(
        tx,
        { db: tx, orgId, actor: { type: 'system', reason: 'sso login' }, ...meta },
        {
          action: 'auth.sso_failed',
          resourceType: 'organization',
          resourceId: orgId,
          details: {
            reason: mismatch,
            email: identity.email,
            expected_organization_id: config.workosOrganizationId,
            profile_organization_id: identity.workosOrganizationId,
            connection_id: identity.connectionId,
          },
        },
      ),
    );
    throw new AppError(
      'SSO_ORG_MISMATCH',
      'This identity does not belong to the organization you signed in to.',
      {
        reason: mismatch,
      },
    );
  }
  const user = await provisionSsoUser(deps.db, { orgId, config }, identity, meta);
  return { ...user, orgId };
}

function mismatchOf(config: OrgSsoConfig, identity: SsoIdentity): string | undefined {
  // The code is exchanged with our client credentials, so any org of our WorkOS environment could be
  // behind it: a user of org B's IdP starting at org A's link must not become a member of A.
  if (identity.workosOrganizationId !== config.workosOrganizationId) return 'organization_mismatch';
  if (config.connectionId && identity.connectionId !== config.connectionId) return 'connection_mismatch';
  return undefined;
}
