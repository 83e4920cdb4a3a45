// Traefik's basicAuth middleware: htpasswd users checked against bcrypt, MD5-crypt and SHA1.
export { buildBasicAuth } from './basic-auth.js';
export { md5Crypt } from './md5-crypt.js';
export { parsePasswordHash } from './password-hash.js';
export { parseBasicAuthorization } from './basic-credentials.js';
export { VerifiedCredentials } from './verified-credentials.js';
