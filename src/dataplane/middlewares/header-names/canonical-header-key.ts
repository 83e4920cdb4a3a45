const TOKEN_BYTE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Go's textproto.CanonicalMIMEHeaderKey: `x-auth-user` becomes `X-Auth-User`. Traefik
 * matches header regexps against these spellings, so a header name is canonicalized
 * before it is matched. A name with a byte that is not a token byte stays as it is.
 */
export function canonicalHeaderKey(name: string): string {
  if (!TOKEN_BYTE.test(name)) return name;
  let out = '';
  let upper = true;
  for (const char of name) {
    out += upper ? char.toUpperCase() : char.toLowerCase();
    upper = char === '-';
  }
  return out;
}
