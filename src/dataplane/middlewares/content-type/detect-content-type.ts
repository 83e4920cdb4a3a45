// Go's http.DetectContentType (the WHATWG MIME sniffing algorithm, Go's table): what
// Traefik's contentType middleware lets Go's server answer for a response without type.

const SNIFF_LENGTH = 512;
const HTML = 'text/html; charset=utf-8';

interface Signature {
  /** Returns the type when `data` matches, '' otherwise. */
  match(data: Buffer, firstNonWhitespace: number): string;
}

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

const exact = (signature: string, type: string): Signature => {
  const sig = bytes(signature);
  return {
    match: (data) =>
      data.length >= sig.length && data.compare(sig, 0, sig.length, 0, sig.length) === 0 ? type : '',
  };
};

const masked = (mask: string, pattern: string, type: string, skipWhitespace = false): Signature => {
  const m = bytes(mask);
  const p = bytes(pattern);
  return {
    match: (data, first) => {
      const start = skipWhitespace ? first : 0;
      if (data.length - start < p.length) return '';
      for (let i = 0; i < p.length; i++) if ((data[start + i]! & m[i]!) !== p[i]) return '';
      return type;
    },
  };
};

const html = (tag: string): Signature => {
  const t = bytes(tag);
  return {
    match: (data, first) => {
      if (data.length - first < t.length + 1) return '';
      for (let i = 0; i < t.length; i++) {
        let b = data[first + i]!;
        const expected = t[i]!;
        if (expected >= 0x41 && expected <= 0x5a) b &= 0xdf;
        if (b !== expected) return '';
      }
      const end = data[first + t.length];
      return end === 0x20 || end === 0x3e ? HTML : '';
    },
  };
};

const mp4: Signature = {
  match: (data) => {
    if (data.length < 12) return '';
    const boxSize = data.readUInt32BE(0);
    if (data.length < boxSize || boxSize % 4 !== 0) return '';
    if (data.toString('latin1', 4, 8) !== 'ftyp') return '';
    for (let at = 8; at < boxSize; at += 4) {
      if (at === 12) continue; // the major brand's version
      if (data.toString('latin1', at, at + 3) === 'mp4') return 'video/mp4';
    }
    return '';
  },
};

const text: Signature = {
  match: (data, first) => {
    for (let i = first; i < data.length; i++) {
      const b = data[i]!;
      if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) return '';
    }
    return 'text/plain; charset=utf-8';
  },
};

const SIGNATURES: readonly Signature[] = [
  ...[
    '<!DOCTYPE HTML',
    '<HTML',
    '<HEAD',
    '<SCRIPT',
    '<IFRAME',
    '<H1',
    '<DIV',
    '<FONT',
    '<TABLE',
    '<A',
    '<STYLE',
    '<TITLE',
    '<B',
    '<BODY',
    '<BR',
    '<P',
    '<!--',
  ].map(html),
  masked('\xFF\xFF\xFF\xFF\xFF', '<?xml', 'text/xml; charset=utf-8', true),
  exact('%PDF-', 'application/pdf'),
  exact('%!PS-Adobe-', 'application/postscript'),
  masked('\xFF\xFF\x00\x00', '\xFE\xFF\x00\x00', 'text/plain; charset=utf-16be'),
  masked('\xFF\xFF\x00\x00', '\xFF\xFE\x00\x00', 'text/plain; charset=utf-16le'),
  masked('\xFF\xFF\xFF\x00', '\xEF\xBB\xBF\x00', 'text/plain; charset=utf-8'),
  exact('\x00\x00\x01\x00', 'image/x-icon'),
  exact('\x00\x00\x02\x00', 'image/x-icon'),
  exact('BM', 'image/bmp'),
  exact('GIF87a', 'image/gif'),
  exact('GIF89a', 'image/gif'),
  masked(
    '\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF\xFF\xFF',
    'RIFF\x00\x00\x00\x00WEBPVP',
    'image/webp',
  ),
  exact('\x89PNG\x0D\x0A\x1A\x0A', 'image/png'),
  exact('\xFF\xD8\xFF', 'image/jpeg'),
  masked('\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF', 'FORM\x00\x00\x00\x00AIFF', 'audio/aiff'),
  masked('\xFF\xFF\xFF', 'ID3', 'audio/mpeg'),
  masked('\xFF\xFF\xFF\xFF\xFF', 'OggS\x00', 'application/ogg'),
  masked('\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF', 'MThd\x00\x00\x00\x06', 'audio/midi'),
  masked('\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF', 'RIFF\x00\x00\x00\x00AVI ', 'video/avi'),
  masked('\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF', 'RIFF\x00\x00\x00\x00WAVE', 'audio/wave'),
  mp4,
  exact('\x1A\x45\xDF\xA3', 'video/webm'),
  masked(`${'\x00'.repeat(34)}\xFF\xFF`, `${'\x00'.repeat(34)}LP`, 'application/vnd.ms-fontobject'),
  exact('\x00\x01\x00\x00', 'font/ttf'),
  exact('OTTO', 'font/otf'),
  exact('ttcf', 'font/collection'),
  exact('wOFF', 'font/woff'),
  exact('wOF2', 'font/woff2'),
  exact('\x1F\x8B\x08', 'application/x-gzip'),
  exact('PK\x03\x04', 'application/zip'),
  exact('Rar!\x1A\x07\x00', 'application/x-rar-compressed'),
  exact('Rar!\x1A\x07\x01\x00', 'application/x-rar-compressed'),
  exact('\x00asm', 'application/wasm'),
  text,
];

const isWhitespace = (b: number): boolean =>
  b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20;

/** The Content-Type Go would give these body bytes (only the first 512 count). */
export function detectContentType(body: Buffer): string {
  const data = body.length > SNIFF_LENGTH ? body.subarray(0, SNIFF_LENGTH) : body;
  let first = 0;
  while (first < data.length && isWhitespace(data[first]!)) first++;
  for (const signature of SIGNATURES) {
    const type = signature.match(data, first);
    if (type !== '') return type;
  }
  return 'application/octet-stream';
}
