// Decoding of Go string literals, the only argument form Traefik's rule parser accepts
// (it hands the rule to go/parser and strconv.Unquote). Raw strings (`...`) are taken as
// written minus carriage returns; interpreted strings ("...") support Go's escapes.
//
// Go strings are bytes: \x and octal escapes insert single bytes, \u and \U insert UTF-8
// encoded code points. We collect bytes the same way and decode them as UTF-8 at the end;
// a byte sequence that is not valid UTF-8 becomes U+FFFD, where Go would keep the raw byte.
//
// Rules, constraints and label templates all use this decoder, so every failure message
// starts with "invalid escape \k" whatever the caller.

export type GoStringResult = { ok: true; value: string } | { ok: false; message: string; offset: number };

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
  '"': 0x22,
};

const HEX = /^[0-9a-fA-F]+$/;
const OCTAL = /^[0-7]{3}$/;
const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

const invalid = (offset: number, kind: string, reason: string): GoStringResult => ({
  ok: false,
  message: `invalid escape \\${kind}: ${reason}`,
  offset,
});

/** A raw string's value: Go drops carriage returns from raw string literals. */
export function decodeGoRawString(body: string): string {
  return body.includes('\r') ? body.replaceAll('\r', '') : body;
}

/** An interpreted ("...") string's value; `body` is the text between the quotes. */
export function decodeGoInterpretedString(body: string): GoStringResult {
  if (!body.includes('\\')) return { ok: true, value: body };
  const bytes: number[] = [];
  let i = 0;
  const pushText = (text: string): void => {
    for (const b of encoder.encode(text)) bytes.push(b);
  };
  while (i < body.length) {
    const slash = body.indexOf('\\', i);
    if (slash < 0) {
      pushText(body.slice(i));
      break;
    }
    pushText(body.slice(i, slash));
    const kind = body[slash + 1];
    if (kind === undefined) return invalid(slash, '', 'escape sequence not terminated');
    const simple = SIMPLE_ESCAPES[kind];
    if (simple !== undefined) {
      bytes.push(simple);
      i = slash + 2;
      continue;
    }
    if (kind === 'x') {
      const digits = body.slice(slash + 2, slash + 4);
      if (digits.length !== 2 || !HEX.test(digits)) {
        return invalid(slash, kind, 'expected two hex digits');
      }
      bytes.push(parseInt(digits, 16));
      i = slash + 4;
      continue;
    }
    if (kind >= '0' && kind <= '7') {
      const digits = body.slice(slash + 1, slash + 4);
      const value = parseInt(digits, 8);
      if (!OCTAL.test(digits) || value > 255) {
        return invalid(slash, kind, 'expected three octal digits with a value up to \\377');
      }
      bytes.push(value);
      i = slash + 4;
      continue;
    }
    if (kind === 'u' || kind === 'U') {
      const width = kind === 'u' ? 4 : 8;
      const digits = body.slice(slash + 2, slash + 2 + width);
      const code = digits.length === width && HEX.test(digits) ? parseInt(digits, 16) : -1;
      if (code < 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return invalid(slash, kind, `expected ${width} hex digits naming a valid code point`);
      }
      pushText(String.fromCodePoint(code));
      i = slash + 2 + width;
      continue;
    }
    return invalid(slash, kind, `unknown escape sequence \\${kind}`);
  }
  return { ok: true, value: utf8.decode(Uint8Array.from(bytes)) };
}
