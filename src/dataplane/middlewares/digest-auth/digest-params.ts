/**
 * The parameters of an `Authorization: Digest ...` header, read as go-http-auth does:
 * the scheme exactly `Digest`, a comma-separated list where commas inside quotes do not
 * split and backslash escapes inside quotes, and values unquoted when they are wrapped in
 * double quotes. Undefined for any other header.
 */
export function parseDigestAuthorization(value: string | undefined): Map<string, string> | undefined {
  if (value === undefined) return undefined;
  const space = value.indexOf(' ');
  if (space === -1 || value.slice(0, space) !== 'Digest') return undefined;
  const pairs = new Map<string, string>();
  for (const item of splitList(value.slice(space + 1).trim())) {
    const equals = item.indexOf('=');
    if (equals === -1) {
      pairs.set(item, '');
      continue;
    }
    let v = item.slice(equals + 1);
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    pairs.set(item.slice(0, equals), v);
  }
  return pairs;
}

// RFC 2068 list splitting (Python's urllib2.parse_http_list, via gorilla): the quotes stay
// in the items, escaping backslashes go.
function splitList(value: string): string[] {
  const items: string[] = [];
  let current = '';
  let quoted = false;
  let escaped = false;
  for (const char of value) {
    if (escaped) {
      current += char;
      escaped = false;
    } else if (quoted) {
      if (char === '\\') escaped = true;
      else {
        if (char === '"') quoted = false;
        current += char;
      }
    } else if (char === ',') {
      items.push(current.trim());
      current = '';
    } else {
      if (char === '"') quoted = true;
      current += char;
    }
  }
  if (current !== '') items.push(current.trim());
  return items;
}
