'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { type ReactNode, useEffect } from 'react';
import { ThemeToggle } from '@/components/theme-toggle';
import { ensureSession, logout, redirectToLogin } from '@/lib/api';
import { useAuthStore } from '@/lib/auth-store';
import { OrgSwitcher } from './org-switcher';

const nav = [
  { href: '/agents', label: 'Agents' },
  { href: '/executions', label: 'Executions' },
  { href: '/approvals', label: 'Approvals' },
  { href: '/knowledge', label: 'Knowledge' },
];

/** Signed-in pages: restores the session from the refresh cookie, or goes to /login. */
export function AppShell({ children }: { children: ReactNode }) {
  const status = useAuthStore((s) => s.status);
  const user = useAuthStore((s) => s.session?.user);
  const pathname = usePathname();

  useEffect(() => {
    void ensureSession().then((ok) => {
      if (!ok) redirectToLogin();
    });
  }, []);

  useEffect(() => {
    if (status === 'anonymous') redirectToLogin();
  }, [status]);

  if (status !== 'authenticated') {
    return (
      <main className="flex min-h-screen items-center justify-center" aria-busy="true">
        <p role="status" className="text-slate-500">
          {status === 'anonymous' ? 'Taking you to the login page…' : 'Loading your workspace…'}
        </p>
      </main>
    );
  }

  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 dark:focus:bg-slate-900"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 dark:border-slate-800">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-4 px-6 py-3">
          <Link href="/agents" className="text-lg font-semibold tracking-tight">
            AgentFlow
          </Link>
          <nav aria-label="Main" className="flex gap-1">
            {nav.map((item) => {
              const current = pathname === item.href || pathname.startsWith(`${item.href}/`);
              return (
                <Link
                  key={item.href}
                  href={item.href}
                  aria-current={current ? 'page' : undefined}
                  className={`rounded-md px-3 py-1.5 text-sm font-medium ${
                    current
                      ? 'bg-slate-100 text-slate-900 dark:bg-slate-800 dark:text-white'
                      : 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'
                  }`}
                >
                  {item.label}
                </Link>
              );
            })}
          </nav>
          <div className="ml-auto flex flex-wrap items-center gap-3">
            <OrgSwitcher />
            <span
              className="hidden max-w-[16rem] truncate text-sm text-slate-500 lg:inline dark:text-slate-400"
              title={user?.email}
            >
              {user?.email}
            </span>
            <ThemeToggle />
            <button type="button" className="btn-secondary" onClick={() => void logout()}>
              Log out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-6 py-8">
        {children}
      </main>
    </div>
  );
}
