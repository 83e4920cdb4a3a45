// A router's priority as Traefik computes it: an explicit non-zero priority wins; otherwise
// (unset or 0) it is the length of the rule in bytes, Go's len(rule), so longer (usually more
// specific) rules are tried first.

export function routePriority(rule: string, explicit?: number): number {
  return explicit !== undefined && explicit !== 0 ? explicit : Buffer.byteLength(rule, 'utf8');
}

/** Higher priority first; equal priorities by router name (code-unit order), so the order never depends on input order. */
export function compareRoutes(
  a: { priority: number; name: string },
  b: { priority: number; name: string },
): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
