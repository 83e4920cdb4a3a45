// Traefik's passTLSClientCert middleware: client certificates forwarded in headers.
export { buildPassTlsClientCert } from './pass-tls-client-cert.js';
export { certificateInfo, queryEscape } from './cert-info.js';
