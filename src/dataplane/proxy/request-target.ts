/**
 * The path and query to request upstream. Traefik v3 sends the client's path as is and
 * prefixes the server URL's path only when the server sets `preservePath`; `prefix` is
 * that path without its trailing slash ('' when it does not apply). Semicolons in the
 * query become `&`, as Traefik does so that Go does not drop such parameters.
 */
export function upstreamPath(url: string, prefix: string): string {
  let path = url.charCodeAt(0) === 47 /* / */ ? url : originFormOf(url);
  const query = path.indexOf('?');
  if (query !== -1 && path.indexOf(';', query) !== -1) {
    path = path.slice(0, query) + path.slice(query).replaceAll(';', '&');
  }
  return prefix === '' ? path : prefix + path;
}

/**
 * The path prefix a server URL contributes when it preserves its path: `/api/` and `/api`
 * both give `/api`, and a bare origin gives ''. Joining it to a request path that always
 * starts with a slash then matches Go's single-slash join.
 */
export function pathPrefix(serverUrl: URL): string {
  const path = serverUrl.pathname;
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

// An absolute-form request target (`GET http://host/path HTTP/1.1`) keeps only its path.
function originFormOf(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme === -1) return url;
  const slash = url.indexOf('/', scheme + 3);
  const query = url.indexOf('?', scheme + 3);
  if (slash === -1 || (query !== -1 && query < slash)) return query === -1 ? '/' : `/${url.slice(query)}`;
  return url.slice(slash);
}
