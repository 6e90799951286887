/**
 * A fake WorkOS API for tests: a real HTTP server on 127.0.0.1 that speaks the parts of the WorkOS
 * wire protocol the official SDK (`@workos-inc/node`) uses for SSO, so the product code runs unchanged
 * against it (point WORKOS_API_URL at `fake.url`). Test-only: never import it from runtime code.
 *
 *   const fake = await startFakeWorkos({ apiKey: 'sk_test_x', clientId: 'client_x' });
 *   const code = fake.issueCode({ email: 'a@acme.test', organization_id: 'org_acme' });
 *   // ...call our /auth/sso/callback?code=...; then assert on fake.requests
 *   await fake.close();
 *
 * Implemented: `GET /sso/authorize` (acts as the IdP: 302 back to redirect_uri with a code for the
 * profile queued by `loginAs`, or `error=...` when none is), `POST /sso/token` (code exchange; checks
 * client_id, client_secret and grant_type; codes are single-use), `GET /sso/profile` (Bearer access
 * token). Anything else is a 404 in WorkOS's error shape, and every request is recorded.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The profile WorkOS returns (snake_case, as on the wire). Only the fields tests care about are required. */
export interface FakeProfileInput {
  email: string;
  organization_id?: string | undefined;
  id?: string;
  idp_id?: string;
  connection_id?: string;
  connection_type?: string;
  first_name?: string;
  last_name?: string;
  raw_attributes?: Record<string, unknown>;
}

export interface FakeProfile extends FakeProfileInput {
  object: 'profile';
  id: string;
  idp_id: string;
  connection_id: string;
  connection_type: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed form or JSON body (token exchange), else {}. */
  body: Record<string, string>;
}

export interface FakeWorkos {
  /** Base URL, e.g. `http://127.0.0.1:43121` (no trailing slash). */
  url: string;
  apiKey: string;
  clientId: string;
  requests: RecordedRequest[];
  /** A single-use authorization code that /sso/token exchanges for `profile`. */
  issueCode(profile: FakeProfileInput): string;
  /** The next GET /sso/authorize signs in as `profile` (redirects back with a code for it). */
  loginAs(profile: FakeProfileInput): void;
  /** The complete profile a code or login will return (ids filled in), for assertions. */
  complete(profile: FakeProfileInput): FakeProfile;
  close(): Promise<void>;
}

export interface FakeWorkosOptions {
  apiKey?: string;
  clientId?: string;
}

export async function startFakeWorkos(options: FakeWorkosOptions = {}): Promise<FakeWorkos> {
  const apiKey = options.apiKey ?? `sk_test_${randomBytes(12).toString('hex')}`;
  const clientId = options.clientId ?? `client_${randomBytes(12).toString('hex')}`;
  const codes = new Map<string, FakeProfile>();
  const accessTokens = new Map<string, FakeProfile>();
  const pendingLogins: FakeProfile[] = [];
  const requests: RecordedRequest[] = [];

  const complete = (profile: FakeProfileInput): FakeProfile => ({
    object: 'profile',
    // Deterministic per email unless given: a second login of the same person has the same subject.
    id:
      profile.id ??
      `prof_${createHash('sha256').update(profile.email.toLowerCase()).digest('hex').slice(0, 26)}`,
    idp_id: profile.idp_id ?? `idp-${profile.email}`,
    connection_id: profile.connection_id ?? 'conn_fake',
    connection_type: profile.connection_type ?? 'GenericSAML',
    ...profile,
  });
  const issueCode = (profile: FakeProfileInput): string => {
    const code = `code_${randomBytes(16).toString('hex')}`;
    codes.set(code, complete(profile));
    return code;
  };

  const server: Server = createServer((req, res) => {
    readBody(req)
      .then((raw) => {
        const url = new URL(req.url ?? '/', 'http://fake-workos');
        const recorded: RecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          body: parseBody(raw, req.headers['content-type']),
        };
        requests.push(recorded);
        route(recorded, res);
      })
      .catch(() => sendJson(res, 500, { message: 'fake workos: could not read the request' }));
  });

  function route(request: RecordedRequest, res: ServerResponse): void {
    const key = `${request.method} ${request.path}`;
    if (key === 'GET /sso/authorize') {
      authorize(request, res);
      return;
    }
    if (key === 'POST /sso/token') {
      token(request, res);
      return;
    }
    if (key === 'GET /sso/profile') {
      profile(request, res);
      return;
    }
    sendJson(res, 404, { message: `fake workos: no route ${key}` });
  }

  function authorize(request: RecordedRequest, res: ServerResponse): void {
    const { redirect_uri: redirectUri, state, client_id: requestClientId } = request.query;
    if (!redirectUri || requestClientId !== clientId) {
      sendJson(res, 400, { error: 'invalid_request', error_description: 'bad client or redirect' });
      return;
    }
    const target = new URL(redirectUri);
    const next = pendingLogins.shift();
    if (next) {
      target.searchParams.set('code', issueCode(next));
    } else {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'No login was scripted for this test');
    }
    if (state !== undefined) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString() }).end();
  }

  function token(request: RecordedRequest, res: ServerResponse): void {
    const { client_id: id, client_secret: secret, grant_type: grant, code } = request.body;
    if (id !== clientId || secret !== apiKey) {
      sendJson(res, 401, { message: 'Unauthorized' });
      return;
    }
    if (grant !== 'authorization_code') {
      sendJson(res, 400, { error: 'unsupported_grant_type', error_description: String(grant) });
      return;
    }
    const found = code ? codes.get(code) : undefined;
    if (!code || !found) {
      sendJson(res, 400, {
        error: 'invalid_grant',
        error_description: `The code '${code ?? ''}' has expired or is invalid.`,
      });
      return;
    }
    codes.delete(code); // single use, as at WorkOS
    const accessToken = `at_${randomBytes(16).toString('hex')}`;
    accessTokens.set(accessToken, found);
    sendJson(res, 200, { access_token: accessToken, profile: found });
  }

  function profile(request: RecordedRequest, res: ServerResponse): void {
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const found = bearer ? accessTokens.get(bearer) : undefined;
    if (!found) {
      sendJson(res, 401, { message: 'Unauthorized' });
      return;
    }
    sendJson(res, 200, found);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    clientId,
    requests,
    issueCode,
    loginAs: (p) => {
      pendingLogins.push(complete(p));
    },
    complete,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The SDK's fetch keeps sockets alive; drop them so close() does not wait for their timeout.
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string, contentType: string | undefined): Record<string, string> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `fake_${Date.now()}` });
  res.end(JSON.stringify(body));
}
