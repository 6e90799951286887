'use client';

import {
  authSessionSchema,
  type InvitationPreview,
  invitationPreviewSchema,
  PASSWORD_MIN_LENGTH,
} from '@agentflow/contracts';
import { AgentFlowError } from '@agentflow/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useState } from 'react';
import { AuthCard } from '@/components/auth-card';
import { Field } from '@/components/field';
import { acceptSession, api, client, ensureSession, logout } from '@/lib/api';
import { useAuthStore } from '@/lib/auth-store';
import { describeError, fieldErrors } from '@/lib/errors';

const roleLabel: Record<InvitationPreview['role'], string> = {
  owner: 'Owner',
  admin: 'Admin',
  editor: 'Editor',
  viewer: 'Viewer',
};
const roleHint: Record<InvitationPreview['role'], string> = {
  owner: 'full control, including billing and ownership',
  admin: 'manage members, settings and every agent',
  editor: 'build, run and publish agents',
  viewer: 'see agents and their runs',
};

const linkClass = 'font-medium text-indigo-600 underline-offset-4 hover:underline dark:text-indigo-400';

/**
 * `/invite/accept?token=...` (issue 6 item 1): shows the org and role, then accepts as the signed-in
 * invitee, or creates the account, or sends an existing account through login and back here.
 */
export function AcceptInvitation() {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const status = useAuthStore((s) => s.status);

  useEffect(() => {
    setToken(new URLSearchParams(window.location.search).get('token'));
    // Who is here: a signed-in invitee accepts in one click.
    void ensureSession();
  }, []);

  const preview = useQuery({
    queryKey: ['invitation-preview', token],
    enabled: !!token,
    retry: false,
    queryFn: () =>
      client.request('/api/v1/invitations/preview', invitationPreviewSchema, {
        method: 'POST',
        body: { token },
      }),
  });

  if (token === null || token === '') {
    return (
      <Problem message="This link has no invitation code. Open the link from your invitation email again, or ask for a new invitation." />
    );
  }
  if (token === undefined || preview.isPending || status === 'unknown') {
    return (
      <AuthCard title="Invitation" footer={null}>
        <p role="status" aria-busy="true" className="text-slate-600 dark:text-slate-300">
          Checking your invitation…
        </p>
      </AuthCard>
    );
  }
  if (preview.isError) {
    return <Problem message={describeError(preview.error)} retry={() => void preview.refetch()} />;
  }
  return <Invitation token={token} invitation={preview.data} />;
}

function Problem({ message, retry }: { message: string; retry?: () => void }) {
  return (
    <AuthCard
      title="This invitation cannot be used"
      footer={
        <>
          Already a member?{' '}
          <Link className={linkClass} href="/login">
            Log in
          </Link>
        </>
      }
    >
      <p role="alert" data-testid="invitation-error" className="alert-error">
        {message}
      </p>
      {retry && (
        <button type="button" className="btn-secondary mt-4" onClick={retry}>
          Try again
        </button>
      )}
    </AuthCard>
  );
}

function Invitation({ token, invitation }: { token: string; invitation: InvitationPreview }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const signedInAs = useAuthStore((s) => s.session?.user.email);
  const [fields, setFields] = useState<Record<string, string>>({});
  const here = `/invite/accept?token=${encodeURIComponent(token)}`;

  const accept = useMutation({
    // Signed in: the access token proves the account. New account: the token and a password do.
    mutationFn: (body: { name?: string; password?: string }) =>
      signedInAs
        ? api('/invitations/accept', authSessionSchema, { method: 'POST', body: { token } })
        : client.request('/api/v1/invitations/accept', authSessionSchema, {
            method: 'POST',
            body: { token, ...body },
          }),
    onSuccess: (session) => {
      acceptSession(session);
      // Whatever was cached belongs to the org the user was in before.
      queryClient.removeQueries();
      router.replace('/agents');
    },
    onError: (err) => setFields(fieldErrors(err)),
  });

  function onSignup(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    setFields({});
    accept.mutate({ password: String(form.get('password') ?? ''), ...(name ? { name } : {}) });
  }

  const org = invitation.organization.name;
  const formError = !accept.isError
    ? null
    : accept.error instanceof AgentFlowError && accept.error.details.reason === 'existing_account'
      ? `An account for ${invitation.email} already exists: log in, then open the invitation link again.`
      : Object.keys(fieldErrors(accept.error)).length === 0
        ? describeError(accept.error)
        : null;
  const sameAccount = signedInAs?.toLowerCase() === invitation.email.toLowerCase();

  return (
    <AuthCard
      title={`Join ${org}`}
      footer={
        <>
          Not expecting this?{' '}
          <Link className={linkClass} href="/">
            Go to the home page
          </Link>
        </>
      }
    >
      <div className="flex flex-col gap-4">
        <dl
          data-testid="invitation-summary"
          className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded-md bg-slate-50 p-3 text-sm dark:bg-slate-900"
        >
          <dt className="text-slate-500 dark:text-slate-400">Organization</dt>
          <dd className="font-medium">{org}</dd>
          <dt className="text-slate-500 dark:text-slate-400">Role</dt>
          <dd>
            <span className="font-medium">{roleLabel[invitation.role]}</span>
            <span className="text-slate-600 dark:text-slate-300"> — {roleHint[invitation.role]}</span>
          </dd>
          <dt className="text-slate-500 dark:text-slate-400">For</dt>
          <dd className="break-all">{invitation.email}</dd>
          {invitation.invited_by && (
            <>
              <dt className="text-slate-500 dark:text-slate-400">From</dt>
              <dd>{invitation.invited_by}</dd>
            </>
          )}
        </dl>

        {formError && (
          <p role="alert" id="form-error" className="alert-error">
            {formError}
          </p>
        )}

        {signedInAs && sameAccount ? (
          <button type="button" className="btn" disabled={accept.isPending} onClick={() => accept.mutate({})}>
            {accept.isPending ? 'Joining…' : `Accept and join ${org}`}
          </button>
        ) : signedInAs ? (
          <div className="flex flex-col gap-3 text-sm">
            <p data-testid="invitation-mismatch">
              You are signed in as <strong className="break-all">{signedInAs}</strong>, but this invitation is
              for <strong className="break-all">{invitation.email}</strong>. Log out, then open the link again
              to accept it as {invitation.email}.
            </p>
            <button type="button" className="btn-secondary" onClick={() => void logout(here)}>
              Log out and continue
            </button>
          </div>
        ) : invitation.account_exists ? (
          <div className="flex flex-col gap-3 text-sm">
            <p>You already have an AgentFlow account for {invitation.email}. Log in to accept.</p>
            <Link
              className="btn"
              href={`/login?next=${encodeURIComponent(here)}&email=${encodeURIComponent(invitation.email)}`}
            >
              Log in to accept
            </Link>
          </div>
        ) : (
          <form noValidate onSubmit={onSignup} className="flex flex-col gap-4">
            <p className="text-sm text-slate-600 dark:text-slate-300">
              Create your account for {invitation.email} to join.
            </p>
            <Field
              name="email"
              label="Email"
              type="email"
              autoComplete="username"
              readOnly
              value={invitation.email}
              className="input bg-slate-50 dark:bg-slate-900"
            />
            <Field name="name" label="Your name" autoComplete="name" error={fields.name} />
            <Field
              name="password"
              label="Password"
              type="password"
              autoComplete="new-password"
              required
              hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
              error={fields.password}
            />
            <button type="submit" className="btn" disabled={accept.isPending}>
              {accept.isPending ? 'Creating your account…' : `Create account and join ${org}`}
            </button>
          </form>
        )}
      </div>
    </AuthCard>
  );
}
