import { SystemStatus } from './system-status';

export default function HomePage() {
  return (
    <main className="mx-auto flex max-w-3xl flex-col gap-8 px-6 py-16">
      <header className="flex flex-col gap-3">
        <h1 className="text-4xl font-semibold tracking-tight">AgentFlow</h1>
        <p className="text-lg text-slate-600 dark:text-slate-300">
          Build AI agents as graphs on a visual canvas, run them on queue workers, watch them live, ground
          them in your own documents.
        </p>
      </header>
      <SystemStatus />
      <nav aria-label="Developer links" className="flex gap-4 text-sm">
        <a className="underline underline-offset-4 hover:text-indigo-600" href="/docs">
          API reference
        </a>
      </nav>
    </main>
  );
}
