import './types';

export { clearRefreshCookie, REFRESH_COOKIE, REFRESH_COOKIE_PATH, setRefreshCookie } from './cookies';
export { authorize, requireAuth, requireUser } from './guards';
export { type AuthPluginOptions, authPlugin } from './plugin';
export { serviceContext } from './service-context';
export { requestMeta, sendSession, startSession, toAuthSession } from './session';
