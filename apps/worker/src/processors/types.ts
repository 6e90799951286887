import type { Database } from '@agentflow/db';
import type { EventBus, JobProcessor, QueueDriver, QueueName } from '@agentflow/queue';
import type { EndpointPolicy, ExecutionRuntime, Keyring, ObjectStorage } from '@agentflow/services';
import type { Logger } from '../logger';

/** What every processor factory gets. Later processors add services/engine handles here. */
export interface ProcessorDeps {
  logger: Logger;
  /** Absent only in tests that run the worker without a database. */
  database?: Database | undefined;
  /** Opens LLM keys and integration credentials for runs. */
  keyring?: Keyring | undefined;
  /** Where execution events are published live (`execution:{id}`). */
  events?: EventBus | undefined;
  /** SSRF allow-lists of runs: org model endpoints and the HTTP node. */
  endpointPolicy?: EndpointPolicy | undefined;
  httpPolicy?: EndpointPolicy | undefined;
  /** Runs executions (claim, cancel, recovery); absent without a database and keyring. */
  runtime?: ExecutionRuntime | undefined;
  /** The worker's queue driver: schedule ticks enqueue the executions they start. */
  queue?: QueueDriver | undefined;
  /** Knowledge-base document files (the API's storage: shared directory or S3). */
  storage?: ObjectStorage | undefined;
  /** Largest URL document download (KNOWLEDGE_MAX_FILE_BYTES). */
  maxFileBytes?: number | undefined;
  /** Lease of a document claim (INGESTION_LEASE_MS), renewed while it is ingested. */
  ingestionLeaseMs?: number | undefined;
}

/**
 * One processor per registry queue. The mapped type makes a queue added to the registry without a
 * processor a compile error, so no queue can be silently left unconsumed.
 */
export type ProcessorMap = { [Q in QueueName]: JobProcessor<Q> };
