import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env';

function issuesOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

// A well-formed vault key (the services package checks the format; see its keyring tests).
const masterKeys = `k1:${randomBytes(32).toString('base64')}`;

describe('loadConfig', () => {
  it('gives embedded defaults for an empty environment', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toEqual({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 4000,
      databaseUrl: undefined,
      dataDir: '/srv/app/.data',
      redisUrl: undefined,
      logLevel: 'info',
      corsOrigins: ['http://localhost:3000'],
      bodyLimitBytes: 1024 * 1024,
      shutdownTimeoutMs: 10_000,
      wsPingIntervalMs: 25_000,
      queuePrefix: 'agentflow',
      executions: { leaseMs: 30_000, sweepIntervalMs: 5_000 },
      publicUrl: 'http://127.0.0.1:4000',
      migrateOnStart: true,
      databaseAppRole: 'agentflow_app',
      rateLimit: {
        enabled: true,
        windowMs: 60_000,
        orgMax: 1000,
        apiKeyMax: 500,
        authMax: 10,
        ipMax: 300,
        failedAuthMax: 60,
        redisPrefix: 'agentflow:rate-limit:',
      },
      trustProxy: false,
      jwtSecret: expect.any(String),
      jwtSecretGenerated: true,
      smtpUrl: undefined,
      mailFrom: 'AgentFlow <no-reply@agentflow.local>',
      appUrl: 'http://localhost:3000',
      masterKeys: undefined,
      llmEndpointPolicy: { allowHosts: [], allowCidrs: [] },
      httpNodePolicy: { allowHosts: [], allowCidrs: [] },
      workos: undefined,
      ssoRedirectUri: 'http://localhost:3000/api/v1/auth/sso/callback',
      webhooks: { syncTimeoutMs: 30_000, maxBodyBytes: 1024 * 1024 },
      scheduleReconcileIntervalMs: 10_000,
      knowledge: { maxFileBytes: 20 * 1024 * 1024, storage: { kind: 'local', root: '/srv/app/.data/files' } },
      ingestionSweepIntervalMs: 15_000,
    });
  });

  it('stores knowledge files in S3 when S3_BUCKET is set; credentials come in pairs', () => {
    const s3 = loadConfig({
      S3_BUCKET: 'agentflow-docs',
      S3_ENDPOINT: 'http://minio:9000',
      S3_REGION: 'eu-west-1',
      S3_ACCESS_KEY_ID: 'AKIA',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_FORCE_PATH_STYLE: 'true',
      KNOWLEDGE_MAX_FILE_BYTES: '1048576',
    }).knowledge;
    expect(s3).toEqual({
      maxFileBytes: 1024 * 1024,
      storage: {
        kind: 's3',
        bucket: 'agentflow-docs',
        endpoint: 'http://minio:9000',
        region: 'eu-west-1',
        accessKeyId: 'AKIA',
        secretAccessKey: 'secret',
        forcePathStyle: true,
      },
    });
    expect(issuesOf({ S3_BUCKET: 'b1b', S3_ACCESS_KEY_ID: 'AKIA' })).toEqual([
      { variable: 'S3_SECRET_ACCESS_KEY', message: 'is required when the other S3_* credential is set' },
    ]);
    expect(issuesOf({ S3_BUCKET: 'Not A Bucket' })[0]?.variable).toBe('S3_BUCKET');
    expect(issuesOf({ KNOWLEDGE_MAX_FILE_BYTES: '20MB' })[0]?.variable).toBe('KNOWLEDGE_MAX_FILE_BYTES');
    expect(loadConfig({ DATA_DIR: 'memory://' }).knowledge.storage).toMatchObject({ kind: 'local' });
  });

  it('listens on all interfaces in production unless HOST is set', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(32), MASTER_KEYS: masterKeys };
    expect(loadConfig(production).host).toBe('0.0.0.0');
    expect(loadConfig(production).publicUrl).toBe('http://localhost:4000');
    expect(loadConfig({ ...production, HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
  });

  it('requires JWT_SECRET in production; elsewhere a random per-process key stands in', () => {
    expect(issuesOf({ NODE_ENV: 'production' }).map((i) => i.variable)).toEqual([
      'JWT_SECRET',
      'MASTER_KEYS',
    ]);
    const secret = 's'.repeat(40);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, MASTER_KEYS: masterKeys })).toMatchObject(
      {
        jwtSecret: secret,
        jwtSecretGenerated: false,
      },
    );
    const a = loadConfig({ NODE_ENV: 'test' });
    expect(a.jwtSecretGenerated).toBe(true);
    expect(a.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ NODE_ENV: 'test' }).jwtSecret).not.toBe(a.jwtSecret);
  });

  it('requires MASTER_KEYS in production, naming it; elsewhere the development key stands in', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(32) };
    const issues = issuesOf(production);
    expect(issues.map((i) => i.variable)).toEqual(['MASTER_KEYS']);
    expect(issues[0]?.message).toMatch(/required in production/);
    expect(loadConfig({ ...production, MASTER_KEYS: masterKeys }).masterKeys).toBe(masterKeys);
    expect(loadConfig({ NODE_ENV: 'test' }).masterKeys).toBeUndefined();
    // A bad key is named by entry, never echoed.
    const bad = issuesOf({ MASTER_KEYS: 'k1:c2hvcnQ=' });
    expect(bad.map((i) => i.variable)).toEqual(['MASTER_KEYS']);
    expect(JSON.stringify(bad)).not.toContain('c2hvcnQ');
  });

  it('parses the LLM endpoint allow-lists', () => {
    const config = loadConfig({
      LLM_ENDPOINT_ALLOW_HOSTS: 'ollama.lan, *.corp.example',
      LLM_ENDPOINT_ALLOW_CIDRS: '10.0.0.0/8,127.0.0.1',
    });
    expect(config.llmEndpointPolicy).toEqual({
      allowHosts: ['ollama.lan', '*.corp.example'],
      allowCidrs: ['10.0.0.0/8', '127.0.0.1'],
    });
    expect(issuesOf({ LLM_ENDPOINT_ALLOW_CIDRS: 'not a cidr' }).map((i) => i.variable)).toEqual([
      'LLM_ENDPOINT_ALLOW_CIDRS',
    ]);
  });

  it('parses the HTTP node allow-lists', () => {
    const config = loadConfig({
      HTTP_NODE_ALLOW_HOSTS: 'crm.internal, *.corp.example',
      HTTP_NODE_ALLOW_CIDRS: '10.20.0.0/16',
    });
    expect(config.httpNodePolicy).toEqual({
      allowHosts: ['crm.internal', '*.corp.example'],
      allowCidrs: ['10.20.0.0/16'],
    });
    expect(issuesOf({ HTTP_NODE_ALLOW_HOSTS: 'not a host!' }).map((i) => i.variable)).toEqual([
      'HTTP_NODE_ALLOW_HOSTS',
    ]);
  });

  it('reads the webhook sync timeout (max 120 s) and body limit', () => {
    expect(loadConfig({ WEBHOOK_SYNC_TIMEOUT_MS: '5000', WEBHOOK_MAX_BODY_BYTES: '2048' }).webhooks).toEqual({
      syncTimeoutMs: 5000,
      maxBodyBytes: 2048,
    });
    expect(loadConfig({ WEBHOOK_SYNC_TIMEOUT_MS: '120000' }).webhooks.syncTimeoutMs).toBe(120_000);
  });

  it('reads WorkOS credentials as a pair, with an API URL override and the SSO redirect URI', () => {
    expect(issuesOf({ WORKOS_API_KEY: 'sk_test_1' }).map((i) => i.variable)).toEqual(['WORKOS_CLIENT_ID']);
    expect(issuesOf({ WORKOS_CLIENT_ID: 'client_1' }).map((i) => i.variable)).toEqual(['WORKOS_API_KEY']);
    const config = loadConfig({
      WORKOS_API_KEY: 'sk_test_1',
      WORKOS_CLIENT_ID: 'client_1',
      WORKOS_API_URL: 'http://127.0.0.1:9999/',
      APP_URL: 'https://app.example.com/',
    });
    expect(config.workos).toEqual({
      apiKey: 'sk_test_1',
      clientId: 'client_1',
      apiUrl: 'http://127.0.0.1:9999',
    });
    expect(config.ssoRedirectUri).toBe('https://app.example.com/api/v1/auth/sso/callback');
    expect(loadConfig({ SSO_REDIRECT_URI: 'https://sso.example.com/cb' }).ssoRedirectUri).toBe(
      'https://sso.example.com/cb',
    );
    expect(issuesOf({ WORKOS_API_URL: 'ftp://x' }).map((i) => i.variable)).toEqual(['WORKOS_API_URL']);
  });

  it('parses every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/app',
      REDIS_URL: 'rediss://cache:6380/1',
      DATA_DIR: 'memory://',
      LOG_LEVEL: 'debug',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:3000',
      BODY_LIMIT_BYTES: '2048',
      SHUTDOWN_TIMEOUT_MS: '500',
      WS_PING_INTERVAL_MS: '1000',
      QUEUE_PREFIX: '{af-prod}',
      EXECUTION_LEASE_MS: '10000',
      REAPER_INTERVAL_MS: '1000',
      INGESTION_SWEEP_INTERVAL_MS: '500',
      PUBLIC_URL: 'https://api.example.com/',
      MIGRATE_ON_START: 'false',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://u:p@db:5432/app',
      redisUrl: 'rediss://cache:6380/1',
      dataDir: 'memory://',
      logLevel: 'debug',
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      bodyLimitBytes: 2048,
      shutdownTimeoutMs: 500,
      wsPingIntervalMs: 1000,
      queuePrefix: '{af-prod}',
      executions: { leaseMs: 10_000, sweepIntervalMs: 1000 },
      ingestionSweepIntervalMs: 500,
      publicUrl: 'https://api.example.com',
      migrateOnStart: false,
    });
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', REDIS_URL: '', PORT: '' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.port).toBe(4000);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', ' '],
    ['PORT', '1e3'],
    ['DATABASE_URL', 'mysql://x/y'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://cache:6379'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'verbose'],
    ['CORS_ORIGINS', '*'],
    ['CORS_ORIGINS', 'https://app.example.com/'],
    ['BODY_LIMIT_BYTES', '0'],
    ['SHUTDOWN_TIMEOUT_MS', '-1'],
    ['WS_PING_INTERVAL_MS', '0'],
    ['WS_PING_INTERVAL_MS', '25s'],
    ['QUEUE_PREFIX', 'has:colon'],
    ['EXECUTION_LEASE_MS', '10'],
    ['REAPER_INTERVAL_MS', 'often'],
    ['PUBLIC_URL', 'api.example.com'],
    ['MIGRATE_ON_START', 'maybe'],
    ['JWT_SECRET', 'too-short'],
    ['SMTP_URL', 'http://mail.example.com'],
    ['APP_URL', 'app.example.com'],
    ['WEBHOOK_SYNC_TIMEOUT_MS', '120001'],
    ['WEBHOOK_SYNC_TIMEOUT_MS', '30s'],
    ['WEBHOOK_MAX_BODY_BYTES', '0'],
    ['INGESTION_SWEEP_INTERVAL_MS', '50'],
    ['INGESTION_SWEEP_INTERVAL_MS', '15s'],
  ])('rejects %s=%j naming the variable', (variable, value) => {
    const issues = issuesOf({ [variable]: value });
    expect(issues.map((i) => i.variable)).toEqual([variable]);
  });

  it('reports every bad variable at once, without echoing values', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://root:s3cret@db/app' });
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('DATABASE_URL');
      expect(message).not.toContain('s3cret');
    }
  });
});
