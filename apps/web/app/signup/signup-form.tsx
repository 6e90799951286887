'use client';

import { authSessionSchema, PASSWORD_MIN_LENGTH } from '@agentflow/contracts';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { AuthCard } from '@/components/auth-card';
import { Field } from '@/components/field';
import { acceptSession, client } from '@/lib/api';
import { describeError, fieldErrors } from '@/lib/errors';

export function SignupForm() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (k: string) => String(form.get(k) ?? '');
    setPending(true);
    setError(null);
    setFields({});
    try {
      const session = await client.request('/api/v1/auth/signup', authSessionSchema, {
        method: 'POST',
        body: {
          name: value('name'),
          email: value('email'),
          password: value('password'),
          ...(value('organization_name').trim() ? { organization_name: value('organization_name') } : {}),
        },
      });
      acceptSession(session);
      router.replace('/agents');
    } catch (err) {
      const byField = fieldErrors(err);
      setFields(byField);
      setError(
        Object.keys(byField).length > 0
          ? 'Some fields need attention: see the messages below them.'
          : describeError(err),
      );
      setPending(false);
    }
  }

  return (
    <AuthCard
      title="Create your account"
      footer={
        <>
          Already have an account?{' '}
          <Link
            className="font-medium text-indigo-600 underline-offset-4 hover:underline dark:text-indigo-400"
            href="/login"
          >
            Log in
          </Link>
        </>
      }
    >
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
        {error && (
          <p role="alert" className="alert-error">
            {error}
          </p>
        )}
        <Field name="name" label="Your name" autoComplete="name" required error={fields.name} />
        <Field name="email" label="Email" type="email" autoComplete="email" required error={fields.email} />
        <Field
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
          error={fields.password}
        />
        <Field
          name="organization_name"
          label="Organization name"
          autoComplete="organization"
          hint="Optional: defaults to “<your name>'s organization”."
          error={fields.organization_name}
        />
        <button type="submit" className="btn" disabled={pending}>
          {pending ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
    </AuthCard>
  );
}
