export interface MediaType {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Go's mime.ParseMediaType, enough to filter content types: the type lower-cased,
 * parameter names lower-cased, quoted values unquoted. Undefined where Go fails.
 */
export function parseMediaType(value: string): MediaType | undefined {
  const semicolon = value.indexOf(';');
  const type = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  const slash = type.indexOf('/');
  if (
    slash < 0 ? !TOKEN.test(type) : !TOKEN.test(type.slice(0, slash)) || !TOKEN.test(type.slice(slash + 1))
  ) {
    return undefined;
  }
  const params = new Map<string, string>();
  let rest = semicolon < 0 ? '' : value.slice(semicolon + 1);
  while (rest.trim() !== '') {
    const match =
      /^\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*("(?:[^"\\]|\\.)*"|[!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*(?:;|$)/.exec(
        rest,
      );
    if (match === null) {
      // Go tolerates a trailing ";" but nothing else it cannot read.
      if (/^\s*;?\s*$/.test(rest)) break;
      return undefined;
    }
    const name = match[1]!.toLowerCase();
    const raw = match[2]!;
    const unquoted = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    if (params.has(name)) return undefined;
    params.set(name, unquoted);
    rest = rest.slice(match[0].length);
  }
  return { type, params };
}

/** gzhttp's rule: the same type, and if the pattern has parameters, exactly the same ones. */
export function mediaTypeMatches(pattern: MediaType, actual: MediaType): boolean {
  if (pattern.type !== actual.type) return false;
  if (pattern.params.size === 0) return true;
  if (pattern.params.size !== actual.params.size) return false;
  for (const [name, value] of pattern.params) if (actual.params.get(name) !== value) return false;
  return true;
}
