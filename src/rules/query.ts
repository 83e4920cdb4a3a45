// Query parameters as Go's url.ParseQuery reads them, which is what Traefik's Query
// matchers consult: pairs split on `&`, a pair containing `;` dropped, `+` read as a space,
// and a pair whose percent-encoding is broken dropped. Keys keep their case.

export type QueryValues = ReadonlyMap<string, readonly string[]>;

const utf8 = new TextDecoder('utf-8');

// Go's QueryUnescape; undefined when a `%` is not followed by two hex digits.
function queryUnescape(text: string): string | undefined {
  if (!text.includes('%')) return text.includes('+') ? text.replaceAll('+', ' ') : text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === 0x2b) {
      bytes.push(0x20);
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      const cp = text.codePointAt(i)!;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
      if (cp > 0xffff) i++;
    }
  }
  return utf8.decode(Uint8Array.from(bytes));
}

export function parseGoQuery(rawQuery: string): QueryValues {
  const values = new Map<string, string[]>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    const key = queryUnescape(eq < 0 ? pair : pair.slice(0, eq));
    const value = queryUnescape(eq < 0 ? '' : pair.slice(eq + 1));
    if (key === undefined || value === undefined) continue;
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  }
  return values;
}

// The last query parsed: several Query matchers, across rules, look at the same request.
let lastRaw: string | undefined;
let lastValues: QueryValues = new Map();

/** parseGoQuery with a one-entry cache keyed by the raw query string. */
export function queryValues(rawQuery: string): QueryValues {
  if (rawQuery !== lastRaw) {
    lastValues = parseGoQuery(rawQuery);
    lastRaw = rawQuery;
  }
  return lastValues;
}
