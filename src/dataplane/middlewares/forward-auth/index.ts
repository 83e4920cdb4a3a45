// Traefik's forwardAuth middleware: delegate each request's authentication to a server.
export { buildForwardAuth } from './forward-auth.js';
export { authRequestHeaders } from './auth-request-headers.js';
export type { AuthRequestPlan, ForwardTrust } from './auth-request-headers.js';
export { copyAuthResponseHeaders, denialHeaders } from './auth-response.js';
export { authCookiesHook, cookieName, splitAuthCookies } from './auth-cookies.js';
export { resolveAuthServerTls } from './client-tls.js';
export type { AuthServerTls } from './client-tls.js';
export { forwardAuthHosts, HostResolver } from './host-resolution.js';
export type { HostResolverOptions, LookupHost, UnresolvedHosts } from './host-resolution.js';
