import Link from 'next/link';
import { ThemeToggle } from '@/components/theme-toggle';
import { SignedInRedirect } from './signed-in-redirect';
import { SystemStatus } from './system-status';

export default function HomePage() {
  return (
    <main className="mx-auto flex max-w-3xl flex-col gap-8 px-6 py-16">
      <SignedInRedirect />
      <header className="flex flex-col gap-3">
        <div className="flex items-center justify-between gap-4">
          <h1 className="text-4xl font-semibold tracking-tight">AgentFlow</h1>
          <ThemeToggle />
        </div>
        <p className="text-lg text-slate-600 dark:text-slate-300">
          Build AI agents as graphs on a visual canvas, run them on queue workers, watch them live, ground
          them in your own documents.
        </p>
      </header>
      <nav aria-label="Account" className="flex flex-wrap gap-3">
        <Link className="btn" href="/signup">
          Sign up
        </Link>
        <Link className="btn-secondary" href="/login">
          Log in
        </Link>
      </nav>
      <SystemStatus />
      <nav aria-label="Developer links" className="flex gap-4 text-sm">
        <a className="underline underline-offset-4 hover:text-indigo-600" href="/docs">
          API reference
        </a>
      </nav>
    </main>
  );
}
