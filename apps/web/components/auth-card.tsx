import Link from 'next/link';
import type { ReactNode } from 'react';

export function AuthCard({
  title,
  children,
  footer,
}: {
  title: string;
  children: ReactNode;
  footer: ReactNode;
}) {
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-6 px-6 py-12">
      <Link href="/" className="text-lg font-semibold tracking-tight">
        AgentFlow
      </Link>
      <section className="rounded-lg border border-slate-200 p-6 shadow-sm dark:border-slate-800">
        <h1 className="mb-5 text-2xl font-semibold">{title}</h1>
        {children}
      </section>
      <p className="text-sm text-slate-600 dark:text-slate-300">{footer}</p>
    </main>
  );
}
