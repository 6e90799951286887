/**
 * `pnpm dev` entry. Without REDIS_URL the product runs embedded: the API executes jobs in-process
 * through the inline driver and this worker has nothing to consume. Say so and stay idle instead of
 * failing (a failing persistent task would stop `turbo dev` for every app); `tsx watch` keeps
 * running and restarts on changes. `pnpm start` and the production bundle run main.ts, which
 * requires REDIS_URL.
 */
if (process.env.REDIS_URL) {
  await import('./main');
} else {
  console.log(
    JSON.stringify({
      level: 30,
      time: new Date().toISOString(),
      service: 'agentflow-worker',
      msg: 'REDIS_URL is not set: embedded mode, the API runs jobs in-process; this worker stays idle',
    }),
  );
}
