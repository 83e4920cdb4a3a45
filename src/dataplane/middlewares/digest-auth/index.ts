// Traefik's digestAuth middleware: RFC 2617 MD5 digest with qop=auth over htdigest lines.
export { buildDigestAuth } from './digest-auth.js';
export { parseDigestAuthorization } from './digest-params.js';
export { NonceTable } from './nonce-table.js';
