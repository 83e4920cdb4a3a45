// Go's interpreted string literals ("..."), which templates and constraint expressions
// accept beside raw `...` strings: the body between the quotes, escapes decoded. \x and
// octal escapes are bytes, as in Go; the bytes are read as UTF-8 at the end.

const SIMPLE: Readonly<Record<string, number>> = {
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

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The decoded text, or where (0-based offset in `body`) and why it is invalid. */
export function decodeGoString(body: string): string | { offset: number; message: string } {
  if (!body.includes('\\')) return body;
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    const slash = body.indexOf('\\', i);
    const plain = body.slice(i, slash < 0 ? body.length : slash);
    bytes.push(...encoder.encode(plain));
    if (slash < 0) break;
    const kind = body[slash + 1] ?? '';
    const escape = readEscape(body, slash, kind);
    if (escape === undefined) return { offset: slash, message: `invalid escape \\${kind}` };
    if (escape.byte !== undefined) bytes.push(escape.byte);
    else bytes.push(...encoder.encode(String.fromCodePoint(escape.codePoint!)));
    i = slash + escape.length;
  }
  return decoder.decode(Uint8Array.from(bytes));
}

type Escape = { byte?: number; codePoint?: number; length: number };

function readEscape(body: string, slash: number, kind: string): Escape | undefined {
  const simple = SIMPLE[kind];
  if (simple !== undefined) return { byte: simple, length: 2 };
  const digits = (count: number, pattern: RegExp): string | undefined => {
    const text = body.slice(slash + 2, slash + 2 + count);
    return text.length === count && pattern.test(text) ? text : undefined;
  };
  if (kind === 'x') {
    const hex = digits(2, /^[0-9a-fA-F]+$/);
    return hex === undefined ? undefined : { byte: parseInt(hex, 16), length: 4 };
  }
  if (kind >= '0' && kind <= '7') {
    const octal = body.slice(slash + 1, slash + 4);
    const value = parseInt(octal, 8);
    return /^[0-7]{3}$/.test(octal) && value <= 255 ? { byte: value, length: 4 } : undefined;
  }
  if (kind === 'u' || kind === 'U') {
    const width = kind === 'u' ? 4 : 8;
    const hex = digits(width, /^[0-9a-fA-F]+$/);
    const code = hex === undefined ? -1 : parseInt(hex, 16);
    if (code < 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
    return { codePoint: code, length: 2 + width };
  }
  return undefined;
}
