const SIMPLE: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
};

/** Go's strconv.Unquote for "..." and `...` literals; undefined if it does not read. */
export function unquoteGoString(literal: string): string | undefined {
  if (literal.startsWith('`')) return literal.slice(1, -1).replaceAll('\r', '');
  const body = literal.slice(1, -1);
  const bytes: number[] = [];
  const pushText = (text: string): void => {
    for (const byte of Buffer.from(text, 'utf8')) bytes.push(byte);
  };
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== '\\') {
      pushText(char);
      continue;
    }
    const kind = body[++i];
    if (kind === undefined) return undefined;
    const simple = SIMPLE[kind];
    if (simple !== undefined) {
      pushText(simple);
    } else if (kind === 'x' || kind === 'u' || kind === 'U') {
      const size = kind === 'x' ? 2 : kind === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + size);
      if (!new RegExp(`^[0-9a-fA-F]{${size}}$`).test(hex)) return undefined;
      const code = parseInt(hex, 16);
      if (kind === 'x') bytes.push(code);
      else if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) return undefined;
      else pushText(String.fromCodePoint(code));
      i += size;
    } else if (/[0-7]/.test(kind)) {
      const octal = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(octal) || parseInt(octal, 8) > 255) return undefined;
      bytes.push(parseInt(octal, 8));
      i += 2;
    } else {
      return undefined;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
