/**
 * Reads the DER (X.690) a certificate and a private key are made of, strictly: definite
 * lengths only, every element inside its parent. Used where OpenSSL's parsers cost too
 * much per item (ten thousand certificates in one version); any surprise is `undefined`,
 * and the caller then asks OpenSSL.
 */

export interface Tlv {
  readonly tag: number;
  /** The contents, without tag and length. */
  readonly value: Buffer;
}

/** The element at `offset` and where the next one starts, or undefined if it does not fit. */
export function readTlv(der: Buffer, offset = 0): { tlv: Tlv; next: number } | undefined {
  const tag = der[offset];
  let length = der[offset + 1];
  if (tag === undefined || length === undefined || (tag & 0x1f) === 0x1f) return undefined;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    // Indefinite lengths are BER, not DER; four bytes is 4 GiB, more than any certificate.
    if (bytes === 0 || bytes > 4) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) {
      const byte = der[start + i];
      if (byte === undefined) return undefined;
      length = length * 256 + byte;
    }
    start += bytes;
  }
  const end = start + length;
  if (end > der.length) return undefined;
  return { tlv: { tag, value: der.subarray(start, end) }, next: end };
}

/** The elements of a constructed value, in order; undefined unless they fill it exactly. */
export function children(parent: Tlv): Tlv[] | undefined {
  const out: Tlv[] = [];
  for (let offset = 0; offset < parent.value.length;) {
    const read = readTlv(parent.value, offset);
    if (read === undefined) return undefined;
    out.push(read.tlv);
    offset = read.next;
  }
  return out;
}

/** The one element a buffer holds (a whole DER document, an OCTET STRING's contents). */
export function only(der: Buffer): Tlv | undefined {
  const read = readTlv(der);
  return read !== undefined && read.next === der.length ? read.tlv : undefined;
}

/** Dotted text of an OBJECT IDENTIFIER's contents ("1.2.840.10045.2.1"). */
export function oidText(value: Buffer): string {
  const arcs: number[] = [];
  let arc = 0;
  for (const byte of value) {
    arc = arc * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(arc < 80 ? Math.floor(arc / 40) : 2, arc < 80 ? arc % 40 : arc - 80);
      else arcs.push(arc);
      arc = 0;
    }
  }
  return arcs.join('.');
}
