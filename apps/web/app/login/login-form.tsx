'use client';

import { authSessionSchema } from '@agentflow/contracts';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useState } from 'react';
import { AuthCard } from '@/components/auth-card';
import { Field } from '@/components/field';
import { acceptSession, client } from '@/lib/api';
import { describeError, fieldErrors } from '@/lib/errors';

/** Only same-site paths: `?next=` must never send a user to another origin. */
export function safeNext(): string {
  const next = new URLSearchParams(window.location.search).get('next');
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/agents';
}

export function LoginForm() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  // From the URL after mount (no Suspense boundary needed): an invitation link pre-fills the email, and
  // a `next` means the visitor was sent here from a page that needs a session.
  const [prefill, setPrefill] = useState<{ email: string; continuing: boolean }>({
    email: '',
    continuing: false,
  });
  useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    setPrefill({ email: params.get('email') ?? '', continuing: params.has('next') });
  }, []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    setFields({});
    try {
      const session = await client.request('/api/v1/auth/login', authSessionSchema, {
        method: 'POST',
        body: { email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') },
      });
      acceptSession(session);
      router.replace(safeNext());
    } catch (err) {
      setError(describeError(err));
      setFields(fieldErrors(err));
      setPending(false);
    }
  }

  return (
    <AuthCard
      title="Log in"
      footer={
        <>
          New to AgentFlow?{' '}
          <Link
            className="font-medium text-indigo-600 underline-offset-4 hover:underline dark:text-indigo-400"
            href="/signup"
          >
            Create an account
          </Link>
        </>
      }
    >
      <form
        noValidate
        onSubmit={onSubmit}
        className="flex flex-col gap-4"
        aria-describedby={error ? 'form-error' : undefined}
      >
        {error && (
          <p id="form-error" role="alert" className="alert-error">
            {error}
          </p>
        )}
        {prefill.continuing && !error && (
          <p className="text-sm text-slate-600 dark:text-slate-300">Log in to continue where you left off.</p>
        )}
        <Field
          key={prefill.email}
          name="email"
          label="Email"
          type="email"
          autoComplete="email"
          required
          defaultValue={prefill.email}
          error={fields.email}
        />
        <Field
          name="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          error={fields.password}
        />
        <button type="submit" className="btn" disabled={pending}>
          {pending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <div className="mt-5 flex items-center gap-3 text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
        <span className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
        or
        <span className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
      </div>
      <Link href="/login/sso" className="btn-secondary mt-5 w-full">
        Sign in with SSO
      </Link>
    </AuthCard>
  );
}
