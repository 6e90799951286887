'use client';

import Link from 'next/link';
import { type FormEvent, useEffect, useState } from 'react';
import { AuthCard } from '@/components/auth-card';
import { Field } from '@/components/field';
import { describeErrorCode } from '@/lib/errors';

const LAST_ORG_KEY = 'agentflow-sso-org';

/**
 * What the person typed, as an organization slug: a pasted sign-in link (`...?org=acme`) works too.
 * Returns an error message instead when it cannot be one.
 */
export function toSlug(input: string): { slug: string } | { error: string } {
  const value = input.trim();
  if (!value) return { error: 'is required' };
  if (/^https?:\/\//i.test(value)) {
    try {
      const org = new URL(value).searchParams.get('org');
      if (org) return { slug: org };
    } catch {
      // not a URL after all: checked as a slug below
    }
    return { error: 'could not be read from that link: type the organization ID instead' };
  }
  if (value.includes('@')) {
    return {
      error:
        'is not your email address: it is the short name in the sign-in link your admin shared (…?org=acme-corp).',
    };
  }
  if (!/^[a-z0-9][a-z0-9-]{0,99}$/i.test(value)) {
    return { error: 'may contain only letters, digits and dashes' };
  }
  return { slug: value.toLowerCase() };
}

/** SSO start (issue 6 item 1): the API redirects to the org's identity provider through WorkOS. */
export function SsoForm() {
  const [org, setOrg] = useState<string | null>(null);
  const [landing, setLanding] = useState<{ code: string; requestId: string | null } | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [pending, setPending] = useState(false);

  useEffect(() => {
    // The API sends a failed or refused sign-in back here: `?error=<code>&org=<slug>&request_id=`.
    const params = new URLSearchParams(window.location.search);
    const code = params.get('error');
    if (code) setLanding({ code, requestId: params.get('request_id') });
    setOrg(params.get('org') ?? window.localStorage.getItem(LAST_ORG_KEY) ?? '');
    // Back from the identity provider's page via the browser's back button: not pending any more.
    const reset = (e: PageTransitionEvent) => e.persisted && setPending(false);
    window.addEventListener('pageshow', reset);
    return () => window.removeEventListener('pageshow', reset);
  }, []);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = toSlug(String(new FormData(event.currentTarget).get('org') ?? ''));
    if ('error' in parsed) {
      setFieldError(parsed.error);
      return;
    }
    setFieldError(undefined);
    setPending(true);
    window.localStorage.setItem(LAST_ORG_KEY, parsed.slug);
    // A full navigation: the API answers with a redirect to the identity provider (or, on an error,
    // back to this page with ?error=).
    window.location.assign(`/api/v1/auth/sso/authorize?org=${encodeURIComponent(parsed.slug)}`);
  }

  const message = landing
    ? landing.code === 'SERVICE_UNAVAILABLE'
      ? 'Single sign-on is not enabled on this AgentFlow instance. Log in with your password, or ask your administrator to set it up.'
      : describeErrorCode(landing.code, landing.requestId)
    : null;

  return (
    <AuthCard
      title="Sign in with SSO"
      footer={
        <>
          Have a password?{' '}
          <Link
            className="font-medium text-indigo-600 underline-offset-4 hover:underline dark:text-indigo-400"
            href="/login"
          >
            Log in with email and password
          </Link>
        </>
      }
    >
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
        {message && (
          <div id="sso-error" role="alert" data-testid="sso-error" className="alert-error">
            <p className="font-medium">Single sign-on did not work</p>
            <p>{message}</p>
          </div>
        )}
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Your organization signs you in through its identity provider (Okta, Entra ID, Google Workspace…).
        </p>
        {org === null ? (
          <p role="status" className="text-sm text-slate-500">
            Loading…
          </p>
        ) : (
          <Field
            name="org"
            label="Organization ID"
            autoComplete="organization"
            autoCapitalize="none"
            spellCheck={false}
            required
            defaultValue={org}
            hint="The short name of your organization in AgentFlow, as in the sign-in link your admin shared (…?org=acme-corp)."
            error={fieldError}
          />
        )}
        <button type="submit" className="btn" disabled={pending || org === null}>
          {pending ? 'Redirecting to your identity provider…' : message ? 'Try again' : 'Continue'}
        </button>
      </form>
    </AuthCard>
  );
}
