// Host comparison as Traefik's Host matcher does it. Both sides are lower case. A trailing
// dot on either side is forgiven once (`example.com.` matches `example.com` and back), and
// in v3 a host expression may be a wildcard: `*.example.com` matches exactly one more
// label, `**.example.com` one or more, and neither matches `example.com` itself.

export type HostPredicate = (requestHost: string) => boolean;

function matchExpression(domain: string, expr: string, wildcards: boolean): boolean {
  if (!wildcards || !expr.startsWith('*')) return domain === expr;
  if (expr.startsWith('**.')) {
    const suffix = expr.slice(2); // keeps the leading dot
    return domain.length > suffix.length && domain.endsWith(suffix);
  }
  // Go replaces the first label of the domain by `*` and compares.
  const dot = domain.indexOf('.');
  return expr === (dot < 0 ? '*' : `*${domain.slice(dot)}`);
}

/** `expr` must already be lower case; `wildcards` is true for the v3 syntax. */
export function hostPredicate(expr: string, wildcards: boolean): HostPredicate {
  const exprWithoutDot = expr.endsWith('.') ? expr.slice(0, -1) : undefined;
  return (host) => {
    if (host === '') return false;
    if (matchExpression(host, expr, wildcards)) return true;
    if (exprWithoutDot !== undefined && matchExpression(host, exprWithoutDot, wildcards)) return true;
    return host.endsWith('.') && matchExpression(host.slice(0, -1), expr, wildcards);
  };
}

/** Whether a v3 Host argument is a wildcard expression rather than one exact host. */
export const isWildcardHost = (expr: string): boolean => expr.startsWith('*');

/**
 * The bucket key a host falls under in the router table: trailing dots removed, so every
 * request host a Host(expr) can match shares the key of expr.
 */
export function hostKey(host: string): string {
  let end = host.length;
  while (end > 0 && host.charCodeAt(end - 1) === 0x2e) end--;
  return end === host.length ? host : host.slice(0, end);
}

export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
