/**
 * The few DER (X.690) encodings a self-signed certificate needs. Enough to write one;
 * der-reader.ts reads.
 */

export type Der = Buffer;

/** Universal tags, as DER writes them (constructed ones with their 0x20 bit). */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Tag, definite length (short form below 128, long form above), contents. */
export function tlv(tag: number, contents: Buffer): Der {
  const n = contents.length;
  let header: Buffer;
  if (n < 0x80) header = Buffer.from([tag, n]);
  else {
    const lengthBytes: number[] = [];
    for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) lengthBytes.unshift(rest % 256);
    header = Buffer.from([tag, 0x80 | lengthBytes.length, ...lengthBytes]);
  }
  return Buffer.concat([header, contents]);
}

export const sequence = (...items: Der[]): Der => tlv(TAG.SEQUENCE, Buffer.concat(items));
export const set = (...items: Der[]): Der => tlv(TAG.SET, Buffer.concat(items));
export const octetString = (contents: Buffer): Der => tlv(TAG.OCTET_STRING, contents);
export const utf8String = (text: string): Der => tlv(TAG.UTF8_STRING, Buffer.from(text, 'utf8'));
export const boolean = (value: boolean): Der => tlv(TAG.BOOLEAN, Buffer.from([value ? 0xff : 0]));

/** An INTEGER's big-endian magnitude without leading zero bytes (at least one byte). */
export function unsignedBytes(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  return magnitude.subarray(start);
}

/** A non-negative INTEGER from its big-endian magnitude, minimal and kept positive. */
export function unsignedInteger(magnitude: Buffer): Der {
  const bytes = unsignedBytes(magnitude);
  const needsPad = bytes.length === 0 || (bytes[0] ?? 0) >= 0x80;
  return tlv(TAG.INTEGER, needsPad ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** A BIT STRING whose last `unusedBits` bits are padding. */
export function bitString(bytes: Buffer, unusedBits = 0): Der {
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

/** An OBJECT IDENTIFIER from dotted text ("1.2.840.10045.4.3.2"). */
export function oid(dotted: string): Der {
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const base128: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift((v & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(TAG.OID, Buffer.from(bytes));
}

/** UTCTime (YYMMDDHHMMSSZ), which RFC 5280 requires for dates before 2050. */
export function utcTime(date: Date): Der {
  const iso = date.toISOString(); // 2026-11-21T02:17:50.123Z
  const text = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(TAG.UTC_TIME, Buffer.from(text, 'ascii'));
}

/** A context-specific tag: [n] EXPLICIT (constructed) wraps DER, IMPLICIT primitive wraps bytes. */
export const explicit = (n: number, inner: Der): Der => tlv(0xa0 | n, inner);
export const implicitPrimitive = (n: number, contents: Buffer): Der => tlv(0x80 | n, contents);
