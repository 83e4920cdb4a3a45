// Traefik's headers middleware: custom request and response headers, CORS, and the
// security headers of unrolled/secure.
export { buildHeaders } from './headers.js';
export { allowedOrigin, corsPolicy, hasCors, isPreflight, preflightHeaders } from './cors.js';
export type { CorsPolicy } from './cors.js';
export { hasSecureHeaders, SecureHeaders } from './secure-headers.js';
export type { SecureHead, SecureOutcome } from './secure-headers.js';
