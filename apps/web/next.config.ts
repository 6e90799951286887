import type { NextConfig } from 'next';

// The browser talks to the API same-origin: Next forwards /api/* (and the health probes) to it,
// so cookies stay first-party and no CORS preflight is needed in production.
const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:4000';

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ['@agentflow/contracts', '@agentflow/sdk'],
  async rewrites() {
    return [
      { source: '/api/:path*', destination: `${apiUrl}/api/:path*` },
      { source: '/healthz', destination: `${apiUrl}/healthz` },
      { source: '/readyz', destination: `${apiUrl}/readyz` },
      { source: '/docs', destination: `${apiUrl}/docs` },
      { source: '/docs/:path*', destination: `${apiUrl}/docs/:path*` },
    ];
  },
};

export default config;
