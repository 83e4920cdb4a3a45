/**
 * Why Go's url.Parse refuses `text`, or undefined if it reads it: a control character, a
 * `%` not followed by two hex digits (outside the query, which Go keeps raw), or a port
 * that is not a number.
 */
export function goUrlError(text: string): string | undefined {
  if (hasControlCharacter(text)) return 'invalid control character in URL';
  const hash = text.indexOf('#');
  const beforeFragment = hash < 0 ? text : text.slice(0, hash);
  const fragment = hash < 0 ? '' : text.slice(hash + 1);
  const question = beforeFragment.indexOf('?');
  const target = question < 0 ? beforeFragment : beforeFragment.slice(0, question);
  const badEscape = firstBadEscape(target) ?? firstBadEscape(fragment);
  if (badEscape !== undefined) return `invalid URL escape ${JSON.stringify(badEscape)}`;
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/]*)/.exec(target)?.[1];
  if (authority !== undefined) {
    const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
    // RFC 3986: a host escapes only non-ASCII bytes (and %25, for IPv6 zones).
    const asciiEscape = /%[0-7][0-9a-fA-F]/.exec(hostPort.replaceAll('%25', ''));
    if (asciiEscape !== null) return `invalid URL escape ${JSON.stringify(asciiEscape[0])}`;
    const port =
      /\]:(.*)$/.exec(hostPort)?.[1] ?? (hostPort.startsWith('[') ? undefined : /:(.*)$/.exec(hostPort)?.[1]);
    if (port !== undefined && !/^\d*$/.test(port))
      return `invalid port ${JSON.stringify(`:${port}`)} after host`;
  }
  return undefined;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** The first `%` escape in `text` that is not `%` and two hex digits, as Go reports it. */
export function firstBadEscape(text: string): string | undefined {
  for (let i = text.indexOf('%'); i >= 0; i = text.indexOf('%', i + 1)) {
    if (!/^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) return text.slice(i, i + 3);
  }
  return undefined;
}

/** Go's url.QueryEscape: unreserved characters stay, spaces become "+", the rest %XX. */
export function goQueryEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(char)) out += char;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
