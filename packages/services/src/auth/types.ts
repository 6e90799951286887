import type { ApiKeyScope, Role } from '@agentflow/contracts';

/**
 * Who a request authenticated as (ADR 0005). Set by the API's auth plugin from a verified access token
 * or API key, never from the URL or body. `sessionId` is the refresh-token family the access token
 * belongs to: revoking the family (logout, refresh-token reuse) ends every token of the session.
 */
export type RequestAuth =
  | { kind: 'user'; userId: string; orgId: string; role: Role; sessionId: string }
  | { kind: 'api_key'; apiKeyId: string; orgId: string; scopes: ApiKeyScope[] };

export type UserAuth = Extract<RequestAuth, { kind: 'user' }>;
export type ApiKeyAuth = Extract<RequestAuth, { kind: 'api_key' }>;

/** Where a request came from: stored on sessions and audit rows. */
export interface RequestMeta {
  requestId?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
}
