import {
  AppError,
  EXECUTION_STREAM_CREDENTIAL_PREFIX,
  EXECUTION_STREAM_PROTOCOL,
} from '@agentflow/contracts';
import type { FastifyRequest } from 'fastify';

/**
 * Browsers cannot set headers on a WebSocket, so routes declared with `config: { websocketAuth: true }`
 * also take the credential as a subprotocol: the client offers `bearer` and
 * `bearer.<access token or API key>` (`new WebSocket(url, ['bearer', 'bearer.' + token])`) and the
 * server selects `bearer`, so the credential is never echoed in the handshake response. An access
 * token is a JWT (`header.payload.signature`: it has dots); an API key has none. Never in the query
 * string: URLs end up in logs.
 */
export interface WebSocketCredential {
  kind: 'access_token' | 'api_key';
  value: string;
}

/** The raw credential offered as a subprotocol on a `websocketAuth` route, if any. */
export function offeredWebSocketCredential(request: FastifyRequest): string | undefined {
  if (request.routeOptions.config?.websocketAuth !== true) return undefined;
  return offeredProtocols(request)
    .find((protocol) => protocol.startsWith(EXECUTION_STREAM_CREDENTIAL_PREFIX))
    ?.slice(EXECUTION_STREAM_CREDENTIAL_PREFIX.length);
}

/** Parses the offered credential (see offeredWebSocketCredential); AUTH_TOKEN_INVALID when unusable. */
export function webSocketCredential(request: FastifyRequest, maxLength: number): WebSocketCredential {
  const value = offeredWebSocketCredential(request);
  if (!value || value.length > maxLength) {
    throw new AppError('AUTH_TOKEN_INVALID', 'The bearer.<token> subprotocol carries no usable credential.');
  }
  if (!offeredProtocols(request).includes(EXECUTION_STREAM_PROTOCOL)) {
    // The server must select one offered protocol, and selecting the credential would echo it back.
    throw new AppError(
      'AUTH_TOKEN_INVALID',
      `Offer the subprotocol "${EXECUTION_STREAM_PROTOCOL}" together with "${EXECUTION_STREAM_CREDENTIAL_PREFIX}<token>".`,
    );
  }
  return { kind: value.includes('.') ? 'access_token' : 'api_key', value };
}

function offeredProtocols(request: FastifyRequest): string[] {
  const header = request.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return [];
  return header
    .split(',')
    .map((protocol) => protocol.trim())
    .filter(Boolean);
}
