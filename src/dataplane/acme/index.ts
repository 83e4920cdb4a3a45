// ACME on the data plane: the HTTP-01 and TLS-ALPN-01 answers served ahead of the routers,
// and how the ACME keys a data node receives become part of its ApplyInput.
export { acmeInputFromEntries, type AcmeInput } from './acme-input.js';
export { http01Handler, HTTP01_PATH } from './http01-handler.js';
export { ACME_TLS_ALPN, AcmeTlsResponder } from './tls-alpn-responder.js';
