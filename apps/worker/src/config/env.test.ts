import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadWorkerEnv, ssrfPolicies, WorkerEnvError } from './env';

function failure(source: NodeJS.ProcessEnv): WorkerEnvError {
  try {
    loadWorkerEnv(source);
  } catch (error) {
    if (error instanceof WorkerEnvError) return error;
    throw error;
  }
  throw new Error('expected WorkerEnvError');
}

describe('worker env', () => {
  it('applies defaults around a REDIS_URL', () => {
    expect(loadWorkerEnv({ REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual({
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'info',
      WORKER_CONCURRENCY: 4,
      SHUTDOWN_TIMEOUT_MS: 25_000,
      STARTUP_TIMEOUT_MS: 10_000,
      EXECUTION_LEASE_MS: 30_000,
      REAPER_INTERVAL_MS: 5_000,
      MAX_RECOVERIES: 3,
      INGESTION_LEASE_MS: 60_000,
      INGESTION_SWEEP_INTERVAL_MS: 15_000,
      INGESTION_MAX_RECOVERIES: 3,
      LLM_ENDPOINT_ALLOW_HOSTS: [],
      LLM_ENDPOINT_ALLOW_CIDRS: [],
      HTTP_NODE_ALLOW_HOSTS: [],
      HTTP_NODE_ALLOW_CIDRS: [],
      SCHEDULE_RECONCILE_INTERVAL_MS: 10_000,
      QUEUE_PREFIX: 'agentflow',
      DATA_DIR: '.data',
      KNOWLEDGE_MAX_FILE_BYTES: 20 * 1024 * 1024,
    });
  });

  it('reads the SSRF allow-lists the API reads, as the policies runs and URL documents use', () => {
    const env = loadWorkerEnv({
      REDIS_URL: 'redis://127.0.0.1:6379',
      HTTP_NODE_ALLOW_HOSTS: 'intranet.corp.example, *.svc.cluster.local',
      HTTP_NODE_ALLOW_CIDRS: '10.20.0.0/16,127.0.0.1,,fd00::/8',
      LLM_ENDPOINT_ALLOW_HOSTS: 'ollama.lan',
      LLM_ENDPOINT_ALLOW_CIDRS: '192.168.1.0/24',
    });
    expect(ssrfPolicies(env)).toEqual({
      httpPolicy: {
        allowHosts: ['intranet.corp.example', '*.svc.cluster.local'],
        allowCidrs: ['10.20.0.0/16', '127.0.0.1', 'fd00::/8'],
      },
      endpointPolicy: { allowHosts: ['ollama.lan'], allowCidrs: ['192.168.1.0/24'] },
    });
    expect(ssrfPolicies(loadWorkerEnv({ REDIS_URL: 'redis://h:1', HTTP_NODE_ALLOW_CIDRS: '' }))).toEqual({
      httpPolicy: { allowHosts: [], allowCidrs: [] },
      endpointPolicy: { allowHosts: [], allowCidrs: [] },
    });
  });

  it('names a bad allow-list entry without echoing it', () => {
    const error = failure({
      REDIS_URL: 'redis://127.0.0.1:6379',
      HTTP_NODE_ALLOW_CIDRS: '10.0.0.0/8,10.1.2.3/33',
      HTTP_NODE_ALLOW_HOSTS: 'http://intranet',
      LLM_ENDPOINT_ALLOW_CIDRS: 'ollama.lan',
      LLM_ENDPOINT_ALLOW_HOSTS: 'good.example',
    });
    expect(error.variables).toEqual({
      HTTP_NODE_ALLOW_CIDRS: 'must be comma-separated IP addresses or CIDRs (e.g. 10.0.0.0/8)',
      HTTP_NODE_ALLOW_HOSTS: 'must be comma-separated hostnames or *.domain',
      LLM_ENDPOINT_ALLOW_CIDRS: 'must be comma-separated IP addresses or CIDRs (e.g. 10.0.0.0/8)',
    });
    expect(error.message).not.toContain('intranet');
    for (const bad of ['999.1.1.1', '10.0.0.0/8/8', 'fd00::/129', '10.0.0.0/']) {
      expect(
        Object.keys(failure({ REDIS_URL: 'redis://h:1', HTTP_NODE_ALLOW_CIDRS: bad }).variables),
      ).toEqual(['HTTP_NODE_ALLOW_CIDRS']);
    }
  });

  it('reads the ingestion recovery settings, naming a bad one', () => {
    expect(
      loadWorkerEnv({
        REDIS_URL: 'redis://h:1',
        INGESTION_LEASE_MS: '2000',
        INGESTION_SWEEP_INTERVAL_MS: '250',
        INGESTION_MAX_RECOVERIES: '0',
      }),
    ).toMatchObject({
      INGESTION_LEASE_MS: 2000,
      INGESTION_SWEEP_INTERVAL_MS: 250,
      INGESTION_MAX_RECOVERIES: 0,
    });
    expect(
      failure({
        REDIS_URL: 'redis://h:1',
        INGESTION_LEASE_MS: '999',
        INGESTION_SWEEP_INTERVAL_MS: 'often',
        INGESTION_MAX_RECOVERIES: '-1',
      }).variables,
    ).toEqual({
      INGESTION_LEASE_MS: 'must be >= 1000',
      INGESTION_SWEEP_INTERVAL_MS: 'must be a number',
      INGESTION_MAX_RECOVERIES: 'must be >= 0',
    });
  });

  it('reads the knowledge file storage settings, naming a bad one', () => {
    expect(
      loadWorkerEnv({
        REDIS_URL: 'redis://127.0.0.1:6379',
        S3_BUCKET: 'agentflow-docs',
        S3_ENDPOINT: 'http://minio:9000',
        S3_FORCE_PATH_STYLE: 'true',
        KNOWLEDGE_MAX_FILE_BYTES: '1024',
      }),
    ).toMatchObject({
      S3_BUCKET: 'agentflow-docs',
      S3_FORCE_PATH_STYLE: 'true',
      KNOWLEDGE_MAX_FILE_BYTES: 1024,
    });
    expect(
      Object.keys(failure({ REDIS_URL: 'redis://127.0.0.1:6379', S3_BUCKET: 'No Bucket' }).variables),
    ).toEqual(['S3_BUCKET']);
  });

  it('parses every option', () => {
    const env = loadWorkerEnv({
      REDIS_URL: 'rediss://:pw@redis.internal:6380/1',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      LOG_LEVEL: 'debug',
      WORKER_CONCURRENCY: '16',
      SHUTDOWN_TIMEOUT_MS: '0',
      STARTUP_TIMEOUT_MS: '2500',
      EXECUTION_LEASE_MS: '2000',
      REAPER_INTERVAL_MS: '250',
      MAX_RECOVERIES: '1',
      QUEUE_PREFIX: '{af-test}',
      PGLITE_DATA_DIR: 'memory://',
    });
    expect(env).toMatchObject({
      WORKER_CONCURRENCY: 16,
      SHUTDOWN_TIMEOUT_MS: 0,
      QUEUE_PREFIX: '{af-test}',
      EXECUTION_LEASE_MS: 2000,
      REAPER_INTERVAL_MS: 250,
      MAX_RECOVERIES: 1,
    });
  });

  it('requires REDIS_URL, naming it', () => {
    const error = failure({});
    expect(Object.keys(error.variables)).toEqual(['REDIS_URL']);
    expect(error.message).toBe(
      'Invalid worker environment: REDIS_URL is required: the worker consumes its queues from Redis (e.g. redis://127.0.0.1:6379)',
    );
  });

  it('requires MASTER_KEYS in production, naming it; checks its format without echoing it', () => {
    const base = { REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(Object.keys(failure({ ...base, NODE_ENV: 'production' }).variables)).toEqual(['MASTER_KEYS']);
    const key = `k1:${randomBytes(32).toString('base64')}`;
    expect(loadWorkerEnv({ ...base, NODE_ENV: 'production', MASTER_KEYS: key }).MASTER_KEYS).toBe(key);
    expect(loadWorkerEnv(base).MASTER_KEYS).toBeUndefined();
    const bad = failure({ ...base, MASTER_KEYS: 'k1:c2hvcnQ=' });
    expect(bad.variables.MASTER_KEYS).toMatch(/entry 1: key must decode to exactly 32 bytes/);
    expect(bad.message).not.toContain('c2hvcnQ');
  });

  it('treats an empty variable as unset', () => {
    expect(failure({ REDIS_URL: '' }).variables.REDIS_URL).toMatch(/is required/);
    expect(loadWorkerEnv({ REDIS_URL: 'redis://h:1', DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('rejects a non-Redis URL without echoing it', () => {
    const error = failure({ REDIS_URL: 'http://user:secret@host:6379' });
    expect(error.message).toBe('Invalid worker environment: REDIS_URL must be a redis:// or rediss:// URL');
    expect(error.message).not.toContain('secret');
  });

  it('reports every bad variable at once', () => {
    const error = failure({
      REDIS_URL: 'redis://h:1',
      DATABASE_URL: 'mysql://x',
      WORKER_CONCURRENCY: '0',
      SHUTDOWN_TIMEOUT_MS: 'soon',
      LOG_LEVEL: 'loud',
      QUEUE_PREFIX: 'a:b',
    });
    expect(error.variables).toEqual({
      DATABASE_URL: 'must be a postgres:// URL',
      WORKER_CONCURRENCY: 'must be >= 1',
      SHUTDOWN_TIMEOUT_MS: 'must be a number',
      LOG_LEVEL: 'must be one of fatal, error, warn, info, debug, trace, silent',
      QUEUE_PREFIX: 'may only contain letters, digits and _ . { } -',
    });
  });
});
