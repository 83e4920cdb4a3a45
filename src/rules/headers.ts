import type { IncomingHttpHeaders } from 'node:http';

// Header lookups as Go's req.Header[CanonicalHeaderKey(key)] would see them. Go moves the
// Host header (and HTTP/2's :authority) out of req.Header, and pseudo-headers never enter
// it, so rules naming them never match in Traefik; the same holds here.

export type HeaderValuesPredicate = (value: string) => boolean;

/** The lower-cased key to read from Node's headers, or undefined if Go would never see it. */
export function headerLookupKey(key: string): string | undefined {
  const lower = key.toLowerCase();
  return lower === 'host' || lower.startsWith(':') ? undefined : lower;
}

/** Whether any value of the header satisfies `test`. */
export function someHeaderValue(
  headers: IncomingHttpHeaders,
  key: string,
  test: HeaderValuesPredicate,
): boolean {
  const value = headers[key];
  if (value === undefined) return false;
  if (typeof value === 'string') return test(value);
  return value.some(test);
}
