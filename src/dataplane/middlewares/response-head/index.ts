// Changing a response's head as it is written: Go's response modifiers, for middlewares
// whose response headers must win over the service's.
export { ObjectHead } from './head-headers.js';
export type { HeadHeaders } from './head-headers.js';
export { onResponseHead, sentHeaderNames, sniffContentType } from './response-head.js';
export type { BodyFilter, ContentSniffer, FilteredBody, HeadHook } from './response-head.js';
