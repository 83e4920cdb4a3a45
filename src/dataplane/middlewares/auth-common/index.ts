// What basicAuth and digestAuth share: the user lists (inline lines and a users file), the
// 401 answer, and the checks of the options that end up in headers.
export { loadUserLines } from './load-users.js';
export type { UserLine } from './load-users.js';
export { DEFAULT_REALM, sendUnauthorized } from './unauthorized.js';
export { checkHeaderField, checkRealm } from './validate.js';
