import type { RetrySettings } from '@agentflow/contracts';
import type { z } from 'zod';
import type { EngineState } from '../compiler/state';
import type { HttpClient } from '../http/client';
import type { LlmRouter } from '../llm/types';

/** Resolves a stored credential into request headers (the vault arrives with models/credentials). */
export interface CredentialResolver {
  httpHeaders(credentialId: string, signal: AbortSignal): Promise<Record<string, string>>;
}

/** One retrieved chunk of a knowledge base. */
export interface KnowledgeHit {
  content: string;
  score: number;
  chunk_id?: string;
  document_id?: string;
  document_name?: string;
  knowledge_base_id?: string;
  chunk_index?: number;
  metadata?: Record<string, unknown>;
}

/**
 * Knowledge-base search for one run (services: `createKnowledgeSearch`), restricted to the run's org:
 * an unknown or foreign base id rejects the whole search.
 */
export interface KnowledgeSearch {
  search(req: {
    knowledgeBaseIds: string[];
    query: string;
    topK: number;
    minScore?: number;
    /** Default hybrid (vector + keyword, reciprocal rank fusion). */
    mode?: 'vector' | 'keyword' | 'hybrid';
    signal: AbortSignal;
  }): Promise<KnowledgeHit[]>;
}

/** What handlers may use; one set per run (org-specific router, credentials...). */
export interface EngineServices {
  llm: LlmRouter;
  http: HttpClient;
  /** Injectable so tests run retries and rate limits without real waiting. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  credentials?: CredentialResolver;
  knowledge?: KnowledgeSearch;
}

/** Events a step emits while it runs (streamed to clients by the executions layer). */
export type EngineEvent =
  | { type: 'llm.token'; node_id: string; token: string }
  /**
   * The last `discarded.tokens` `llm.token` events of this node (`discarded.chars` characters) came
   * from a model call that failed and is being retried or answered by a fallback provider: drop
   * them, the new attempt streams its own text.
   */
  | {
      type: 'llm.restart';
      node_id: string;
      reason: 'retry' | 'fallback';
      discarded: { tokens: number; chars: number };
    }
  | { type: 'agent.iteration'; node_id: string; iteration: number }
  | {
      type: 'agent.tool_call';
      node_id: string;
      tool: string;
      arguments: unknown;
      ok: boolean;
      result: string;
    }
  | { type: 'step.retry'; node_id: string; attempt: number; delay_ms: number; error: string; code: string }
  | { type: 'step.waiting_approval'; node_id: string; request: unknown }
  | { type: 'log'; node_id: string; level: 'debug' | 'info' | 'warn'; message: string; data?: unknown };

type WithoutNodeId<E> = E extends unknown ? Omit<E, 'node_id'> : never;
export type HandlerEvent = WithoutNodeId<EngineEvent>;

export interface HandlerContext<Config> {
  nodeId: string;
  label: string;
  /** Ids of the nodes with an edge into this one (merge collects their outputs). */
  predecessors: readonly string[];
  /** The node's config with every `{{...}}` resolved (except the handler's `lazyKeys`). */
  config: Config;
  /** The graph state before this step (read-only). */
  state: Readonly<EngineState>;
  /** Aborts on run cancellation and on this attempt's timeout; handlers pass it to all I/O. */
  signal: AbortSignal;
  services: EngineServices;
  /** 1-based attempt number (retries). */
  attempt: number;
  emit(event: HandlerEvent): void;
  /** Resolves a template value now; `soft`: a missing value is undefined instead of an error. */
  resolve(value: unknown, opts?: { soft?: boolean }): unknown;
  /** LangGraph `interrupt()`: throws to pause the run; returns the resume value when resumed. */
  interrupt(value: unknown): unknown;
}

export interface HandlerResult {
  output: unknown;
  /** The source handle to follow (branching nodes). */
  branch?: string;
  tokens?: { input: number; output: number };
  /** USD. */
  cost?: number;
  /** False when some model call had no price (`cost` then counts it as 0); absent without calls. */
  cost_known?: boolean;
}

export interface NodeHandler<Config = unknown> {
  readonly type: string;
  readonly subtype: string;
  readonly configSchema: z.ZodType<Config>;
  /** Top-level config keys left unresolved for the handler to resolve itself (e.g. conditions). */
  readonly lazyKeys?: readonly string[];
  /** Per-attempt timeout unless the node sets `timeout_ms`; undefined: none. */
  readonly defaultTimeoutMs?: number;
  /** Retry defaults unless the node sets `retry`; undefined: a single attempt. */
  readonly defaultRetry?: RetrySettings;
  /** The handler applies `config.retry` itself (per model call); the node is never re-run whole. */
  readonly retriesInternally?: boolean;
  /**
   * No effect outside the run's own state (no network, no model call, no person asked): running it
   * again after a crash changes nothing. A checkpointed run may start such a node before the earlier
   * steps' checkpoints are committed; any other node waits for them (see StepStartEvent.replayable).
   * Default false.
   */
  readonly replayable?: boolean;
  // Method syntax on purpose: a registry holds handlers of different Config types.
  run(ctx: HandlerContext<Config>): Promise<HandlerResult> | HandlerResult;
}

/** Types a handler's context from its schema. */
export function defineHandler<S extends z.ZodType>(
  handler: NodeHandler<z.output<S>> & { configSchema: S },
): NodeHandler<z.output<S>> {
  return handler;
}
