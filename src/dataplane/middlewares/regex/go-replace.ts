/** A global copy of a RegExp, for scanning all matches with lastIndex. */
export function globalCopy(re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
}

/**
 * Go's Regexp.ReplaceAllString: every non-overlapping match replaced by the template with
 * $1, ${1}, $name and ${name} expanded, except an empty match right after a previous
 * match (JavaScript's String.replace would replace that one too). `re` must be global.
 */
export function goReplaceAll(re: RegExp, src: string, template: string): string {
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    re.lastIndex = searchPos;
    const match = re.exec(src);
    if (match === null) break;
    const start = match.index;
    const end = start + match[0].length;
    out += src.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += goExpand(template, match);
    lastMatchEnd = end;
    const width = charWidth(src, searchPos);
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastMatchEnd);
}

// One character, in UTF-16 units: 2 for a surrogate pair; 0 at the end, as Go's width.
function charWidth(text: string, at: number): number {
  if (at >= text.length) return 0;
  const code = text.charCodeAt(at);
  return code >= 0xd800 && code <= 0xdbff && at + 1 < text.length ? 2 : 1;
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/**
 * Go's Regexp.Expand: `$$` is a dollar; `$name` takes the longest run of letters, digits
 * and underscores (so `$1x` means `${1x}`); a number names a group by index, anything else
 * by name; an unknown or unmatched group expands to nothing; a `$` that starts no valid
 * reference stays as it is.
 */
export function goExpand(template: string, match: RegExpExecArray): string {
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const reference = extractReference(rest);
    if (reference === undefined) {
      out += '$';
      continue;
    }
    rest = reference.rest;
    const value = reference.index !== undefined ? match[reference.index] : match.groups?.[reference.name];
    out += value ?? '';
  }
  return out + rest;
}

function extractReference(
  text: string,
): { name: string; index: number | undefined; rest: string } | undefined {
  const brace = text.startsWith('{');
  const body = brace ? text.slice(1) : text;
  let end = 0;
  for (const char of body) {
    if (!NAME_CHAR.test(char)) break;
    end += char.length;
  }
  if (end === 0) return undefined;
  const name = body.slice(0, end);
  let consumed = end;
  if (brace) {
    if (body[end] !== '}') return undefined;
    consumed++;
  }
  // A number, without leading zeros and below 1e8, names a group by index.
  const index = /^(0|[1-9]\d{0,7})$/.test(name) ? Number(name) : undefined;
  return { name, index, rest: body.slice(consumed) };
}
