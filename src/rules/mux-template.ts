// Traefik v2 matched Host, HostRegexp, Path, PathPrefix and Query through gorilla/mux
// templates: literal text with `{name}` or `{name:regexp}` placeholders. This turns a
// template into the Go regexp mux built from it; go-regexp.ts then translates that.

export type TemplateKind = 'host' | 'path' | 'prefix' | 'query';

export type TemplateResult = { ok: true; pattern: string } | { ok: false; message: string };

// What a bare {name} matches: up to the next dot in a host, the next slash in a path.
const DEFAULT_PATTERN: Record<TemplateKind, string> = {
  host: '[^.]+',
  path: '[^/]+',
  prefix: '[^/]+',
  query: '.*',
};

const GO_SPECIAL = /[\\.+*?()|[\]{}^$]/g;

/** Go's regexp.QuoteMeta. */
export function goQuoteMeta(text: string): string {
  return text.replace(GO_SPECIAL, '\\$&');
}

/** The Go regexp mux compiles a template into: anchored at both ends, except for prefixes. */
export function templateToGoRegexp(template: string, kind: TemplateKind): TemplateResult {
  const braces = braceIndices(template);
  if (braces === undefined) return { ok: false, message: `unbalanced braces in ${JSON.stringify(template)}` };
  let pattern = '^';
  let end = 0;
  for (let i = 0; i < braces.length; i += 2) {
    const open = braces[i]!;
    const close = braces[i + 1]!;
    const inner = template.slice(open + 1, close - 1);
    const colon = inner.indexOf(':');
    const name = colon < 0 ? inner : inner.slice(0, colon);
    const patt = colon < 0 ? DEFAULT_PATTERN[kind] : inner.slice(colon + 1);
    if (name === '' || patt === '') {
      return {
        ok: false,
        message: `missing name or pattern in ${JSON.stringify(template.slice(open, close))}`,
      };
    }
    pattern += `${goQuoteMeta(template.slice(end, open))}(${patt})`;
    end = close;
  }
  pattern += goQuoteMeta(template.slice(end));
  // A query template with nothing after `=` accepts any value.
  if (kind === 'query' && template.slice(template.indexOf('=') + 1) === '') pattern += DEFAULT_PATTERN.query;
  if (kind !== 'prefix') pattern += '$';
  return { ok: true, pattern };
}

// Positions of top-level `{` and one past the matching `}`; undefined if unbalanced.
function braceIndices(template: string): number[] | undefined {
  const out: number[] = [];
  let level = 0;
  let start = 0;
  for (let i = 0; i < template.length; i++) {
    if (template[i] === '{') {
      if (++level === 1) start = i;
    } else if (template[i] === '}') {
      if (--level === 0) out.push(start, i + 1);
      else if (level < 0) return undefined;
    }
  }
  return level === 0 ? out : undefined;
}
