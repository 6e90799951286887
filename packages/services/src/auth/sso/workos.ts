import { AppError } from '@agentflow/contracts';
import { type Profile, WorkOS } from '@workos-inc/node';

/** Instance-level WorkOS settings (WORKOS_* environment variables). */
export interface WorkosSettings {
  apiKey: string;
  clientId: string;
  /** `https://api.workos.com`, or a fake server's URL in tests. */
  apiUrl: string;
  /** Our callback, registered in the WorkOS dashboard: `${APP_URL}/api/v1/auth/sso/callback`. */
  redirectUri: string;
}

/** The parts of a WorkOS profile sign-in needs, normalized. */
export interface SsoIdentity {
  /** WorkOS profile id: the stable subject we store as users.auth_provider_id. */
  subject: string;
  email: string;
  name: string | null;
  /** Only when the IdP explicitly vouched for it (see `emailVerifiedByIdp`). */
  emailVerified: boolean;
  workosOrganizationId: string | null;
  connectionId: string;
}

/** The WorkOS SSO calls we make, through the official SDK. */
export class WorkosSso {
  private readonly client: WorkOS;

  constructor(private readonly settings: WorkosSettings) {
    const url = new URL(settings.apiUrl);
    this.client = new WorkOS(settings.apiKey, {
      clientId: settings.clientId,
      apiHostname: url.hostname,
      https: url.protocol === 'https:',
      ...(url.port ? { port: Number(url.port) } : {}),
      // A hung WorkOS must not hold a browser request (and a connection slot) forever.
      timeout: 10_000,
    });
  }

  /** Where to send the browser: WorkOS, which forwards to the org's IdP. */
  authorizationUrl(input: { organizationId: string; connectionId: string | null; state: string }): string {
    return this.client.sso.getAuthorizationUrl({
      // A pinned connection wins; otherwise WorkOS picks the organization's active connection.
      ...(input.connectionId ? { connection: input.connectionId } : { organization: input.organizationId }),
      clientId: this.settings.clientId,
      redirectUri: this.settings.redirectUri,
      state: input.state,
    });
  }

  /** Exchanges the callback's code (confidential client: client id + API key as secret). */
  async exchangeCode(code: string): Promise<SsoIdentity> {
    let profile: Profile<Record<string, unknown>>;
    try {
      ({ profile } = await this.client.sso.getProfileAndToken({ code, clientId: this.settings.clientId }));
    } catch (error) {
      throw providerError(error);
    }
    const name = [profile.firstName, profile.lastName].filter(Boolean).join(' ').trim();
    return {
      subject: profile.id,
      email: profile.email.trim().toLowerCase(),
      name: name ? name.slice(0, 255) : null,
      emailVerified: emailVerifiedByIdp(profile.rawAttributes),
      workosOrganizationId: profile.organizationId ?? null,
      connectionId: profile.connectionId,
    };
  }
}

/**
 * WorkOS SSO profiles carry no normalized "email verified" flag. OIDC and OAuth IdPs (Google,
 * Microsoft, generic OIDC) pass the standard `email_verified` claim in `raw_attributes`; SAML IdPs
 * generally do not. Only an explicit `true` counts: linking an SSO login to an existing account by
 * email is an account takeover if the IdP lets its admin type any address (see packages/services
 * README, "SSO").
 */
export function emailVerifiedByIdp(raw: Record<string, unknown> | undefined): boolean {
  const claim = raw?.email_verified;
  return claim === true || claim === 'true';
}

/** 4xx from WorkOS: the code was bad, expired or reused (the user should start again). Else: 502. */
function providerError(error: unknown): AppError {
  const status = typeof error === 'object' && error && 'status' in error ? Number(error.status) : NaN;
  const providerCode =
    typeof error === 'object' && error && 'error' in error && typeof error.error === 'string'
      ? error.error
      : undefined;
  if (status >= 400 && status < 500 && status !== 401 && status !== 429) {
    return new AppError('SSO_LOGIN_FAILED', 'The sign-in could not be completed; start again.', {
      reason: 'code_rejected',
      ...(providerCode ? { provider_error: providerCode } : {}),
    });
  }
  // 401 means *our* WorkOS credentials are wrong: an operator problem, not the user's.
  const failure = new AppError(
    'SSO_PROVIDER_ERROR',
    'The identity provider could not be reached; try again.',
    {
      ...(Number.isFinite(status) ? { provider_status: status } : {}),
    },
  );
  failure.cause = error;
  return failure;
}
