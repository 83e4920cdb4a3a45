// Header names seen on requests repeat; a bounded cache keeps their Go spelling without
// letting a client that invents names grow it.
const CACHE_LIMIT = 512;
const cache = new Map<string, string>();

/**
 * Go's textproto.CanonicalMIMEHeaderKey, the spelling Traefik logs header names in: the
 * first letter and each letter after a hyphen upper-case, the rest lower-case
 * (`x-real-ip` becomes `X-Real-Ip`).
 */
export function canonicalHeaderName(name: string): string {
  const known = cache.get(name);
  if (known !== undefined) return known;
  let canonical = '';
  let upper = true;
  for (const char of name) {
    canonical += upper ? char.toUpperCase() : char.toLowerCase();
    upper = char === '-';
  }
  if (cache.size < CACHE_LIMIT) cache.set(name, canonical);
  return canonical;
}
