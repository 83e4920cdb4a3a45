// ACME on the data plane: the HTTP-01 and TLS-ALPN-01 answers served ahead of the routers.
// The ACME keys a data node receives become its ApplyInput in the distribution's
// entriesToInput, with the rest of what it is streamed.
export { http01Handler, HTTP01_PATH } from './http01-handler.js';
export { ACME_TLS_ALPN, AcmeTlsResponder } from './tls-alpn-responder.js';
