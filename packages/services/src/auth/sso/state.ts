import { hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '@agentflow/contracts';
import { jwtVerify, SignJWT } from 'jose';

/** How long a browser has between starting an SSO sign-in and landing on the callback. */
export const SSO_STATE_TTL_SECONDS = 10 * 60;

// Distinct audiences: the state (travels through WorkOS and the IdP in URLs) and the browser cookie
// are both signed with the same derived key, and neither may stand in for the other.
const ISSUER = 'agentflow';
const STATE_AUDIENCE = 'agentflow-sso-state';
const COOKIE_AUDIENCE = 'agentflow-sso-browser';
const ALGORITHM = 'HS256';

export interface SsoStateStart {
  /** The OAuth `state` parameter: signed, carries the org id and the nonce. */
  state: string;
  /** The httpOnly cookie value: the same nonce, signed. Binds the flow to the browser that began it. */
  cookie: string;
}

export interface SsoStateSigner {
  create(orgId: string): Promise<SsoStateStart>;
  /**
   * The org the flow was started for. Throws SSO_STATE_INVALID when the state or the cookie is missing,
   * tampered, expired, or when they belong to different flows (another browser's state).
   */
  verify(state: string | undefined, cookie: string | undefined): Promise<{ orgId: string }>;
}

/**
 * Signs SSO states with a key derived from the access-token secret (HKDF, its own label), so the
 * deployment needs no extra secret, and an access token can never verify as a state or vice versa.
 *
 * Why both a state and a cookie: the state alone proves we issued it, not that *this* browser asked
 * for it. Without the cookie an attacker could start a flow, sign in at the IdP as themselves, and
 * send the victim the callback link: the victim would be signed in to the attacker's account (login
 * CSRF). The nonce in the state must equal the nonce in the cookie of the browser presenting it.
 */
export function createSsoStateSigner(jwtSecret: string): SsoStateSigner {
  const key = new Uint8Array(hkdfSync('sha256', jwtSecret, 'agentflow', 'agentflow/sso-state/v1', 32));
  const sign = (claims: Record<string, string>, audience: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${SSO_STATE_TTL_SECONDS}s`)
      .sign(key);
  const read = async (token: string, audience: string) => {
    const { payload } = await jwtVerify(token, key, { algorithms: [ALGORITHM], issuer: ISSUER, audience });
    return payload;
  };

  return {
    async create(orgId) {
      const nonce = randomBytes(32).toString('base64url');
      const [state, cookie] = await Promise.all([
        sign({ org: orgId, nonce }, STATE_AUDIENCE),
        sign({ nonce }, COOKIE_AUDIENCE),
      ]);
      return { state, cookie };
    },
    async verify(state, cookie) {
      if (!state) throw invalid('missing_state');
      if (!cookie) throw invalid('missing_cookie');
      // Bounded before any crypto: these come straight from a URL and a cookie.
      if (state.length > 2048 || cookie.length > 2048) throw invalid('malformed');
      const [fromState, fromCookie] = await Promise.all([
        read(state, STATE_AUDIENCE).catch(() => undefined),
        read(cookie, COOKIE_AUDIENCE).catch(() => undefined),
      ]);
      if (!fromState) throw invalid('bad_state');
      if (!fromCookie) throw invalid('bad_cookie');
      const { org, nonce } = fromState;
      if (typeof org !== 'string' || typeof nonce !== 'string' || typeof fromCookie.nonce !== 'string') {
        throw invalid('malformed');
      }
      if (!sameString(nonce, fromCookie.nonce)) throw invalid('browser_mismatch');
      return { orgId: org };
    },
  };
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

// One code for every variant (the client can do nothing different); the reason helps support.
function invalid(reason: string): AppError {
  return new AppError(
    'SSO_STATE_INVALID',
    'This sign-in link is invalid or has expired, or was started in another browser. Start again.',
    { reason },
  );
}
