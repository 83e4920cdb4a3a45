export { CertificateIndex } from './certificate-index.js';
export type { KeyPair } from './certificate.js';
export { MAX_HELLO_RECORD, peekClientHello, type HelloPeek } from './client-hello.js';
export { compileTls, DEFAULT_TLS, type TlsProfile } from './compile-tls.js';
export { SecureContextCache } from './secure-context-cache.js';
export { readCertificate } from './x509-fields.js';
