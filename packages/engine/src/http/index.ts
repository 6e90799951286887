export {
  createSafeHttpClient,
  type HttpClient,
  type HttpClientOptions,
  HttpError,
  type HttpRequest,
  type HttpResponse,
} from './client';
export { blockedReason, embeddedIPv4 } from './ip';
export {
  createSsrfGuard,
  type LookupFn,
  type SafeTarget,
  SsrfError,
  type SsrfGuard,
  type SsrfPolicy,
} from './ssrf';
