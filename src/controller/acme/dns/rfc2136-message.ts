import { createHmac } from 'node:crypto';

// DNS UPDATE messages (RFC 2136) carrying one TXT record set, signed with TSIG (RFC 8945).
// Encoding only what the DNS-01 provider sends: no name compression, one zone, one name.

const OPCODE_UPDATE = 5;
const TYPE_SOA = 6;
const TYPE_TXT = 16;
const TYPE_TSIG = 250;
const CLASS_IN = 1;
const CLASS_NONE = 254;
const CLASS_ANY = 255;

export const TSIG_ALGORITHMS = {
  'hmac-md5': { wire: 'hmac-md5.sig-alg.reg.int', hash: 'md5' },
  'hmac-sha1': { wire: 'hmac-sha1', hash: 'sha1' },
  'hmac-sha224': { wire: 'hmac-sha224', hash: 'sha224' },
  'hmac-sha256': { wire: 'hmac-sha256', hash: 'sha256' },
  'hmac-sha384': { wire: 'hmac-sha384', hash: 'sha384' },
  'hmac-sha512': { wire: 'hmac-sha512', hash: 'sha512' },
} as const;
export type TsigAlgorithm = keyof typeof TSIG_ALGORITHMS;

/** Reads an algorithm as lego and BIND spell it (`hmac-sha256.`, `HMAC-MD5.SIG-ALG.REG.INT`). */
export function parseTsigAlgorithm(text: string): TsigAlgorithm | undefined {
  const name = text
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/\.sig-alg\.reg\.int$/, '');
  return Object.hasOwn(TSIG_ALGORITHMS, name) ? (name as TsigAlgorithm) : undefined;
}

export interface TsigKey {
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  readonly secret: Buffer;
}

export interface TxtUpdate {
  readonly id: number;
  /** The zone the record lives in (the SOA owner). */
  readonly zone: string;
  readonly name: string;
  readonly ttl: number;
  readonly value: string;
  /** Add the record, or delete exactly this record (class NONE). */
  readonly action: 'add' | 'delete';
}

export interface TsigStamp {
  readonly key: TsigKey;
  /** Seconds since the epoch. */
  readonly timeSigned: number;
  /** Allowed clock skew in seconds (RFC 8945 recommends 300). */
  readonly fudge: number;
}

/** The update as sent: the message, and its TSIG record when a key is given. */
export function encodeTxtUpdate(update: TxtUpdate, tsig?: TsigStamp): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(update.id, 0);
  header.writeUInt16BE(OPCODE_UPDATE << 11, 2);
  header.writeUInt16BE(1, 4); // ZOCOUNT
  header.writeUInt16BE(0, 6); // PRCOUNT
  header.writeUInt16BE(1, 8); // UPCOUNT
  header.writeUInt16BE(0, 10); // ADCOUNT, before TSIG
  const zone = Buffer.concat([encodeName(update.zone), u16(TYPE_SOA), u16(CLASS_IN)]);
  const rdata = characterStrings(update.value);
  const add = update.action === 'add';
  const record = Buffer.concat([
    encodeName(update.name),
    u16(TYPE_TXT),
    u16(add ? CLASS_IN : CLASS_NONE),
    u32(add ? update.ttl : 0),
    u16(rdata.length),
    rdata,
  ]);
  const message = Buffer.concat([header, zone, record]);
  if (tsig === undefined) return message;
  return Buffer.concat([withAdditionalCount(message, 1), tsigRecord(message, update.id, tsig)]);
}

/** The TSIG record that signs `message` (RFC 8945 §4.2, §4.3.3). */
function tsigRecord(message: Buffer, originalId: number, stamp: TsigStamp): Buffer {
  const { key } = stamp;
  const algorithm = TSIG_ALGORITHMS[key.algorithm];
  const keyName = encodeName(key.name.toLowerCase());
  const algorithmName = encodeName(algorithm.wire);
  const time = u48(stamp.timeSigned);
  const variables = Buffer.concat([
    keyName,
    u16(CLASS_ANY),
    u32(0),
    algorithmName,
    time,
    u16(stamp.fudge),
    u16(0), // error
    u16(0), // other len
  ]);
  const mac = createHmac(algorithm.hash, key.secret).update(message).update(variables).digest();
  const rdata = Buffer.concat([
    algorithmName,
    time,
    u16(stamp.fudge),
    u16(mac.length),
    mac,
    u16(originalId),
    u16(0),
    u16(0),
  ]);
  return Buffer.concat([keyName, u16(TYPE_TSIG), u16(CLASS_ANY), u32(0), u16(rdata.length), rdata]);
}

export const RCODES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
] as const;

export interface UpdateResponse {
  readonly id: number;
  readonly rcode: string;
  readonly truncated: boolean;
}

/** Reads the header of a server's answer; undefined when it is too short to be one. */
export function decodeResponseHeader(message: Buffer): UpdateResponse | undefined {
  if (message.length < 12) return undefined;
  const flags = message.readUInt16BE(2);
  const code = flags & 0x000f;
  return {
    id: message.readUInt16BE(0),
    rcode: RCODES[code] ?? `RCODE${code}`,
    truncated: (flags & 0x0200) !== 0,
  };
}

/** A domain name in uncompressed wire form; a trailing dot is optional. */
export function encodeName(name: string): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((label) => label !== '');
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length > 63) throw new RangeError(`DNS label longer than 63 octets: ${label}`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** TXT RDATA: the text in character-strings of at most 255 octets. */
function characterStrings(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length || at === 0; at += 255) {
    const chunk = bytes.subarray(at, at + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
    if (bytes.length === 0) break;
  }
  return Buffer.concat(parts);
}

function withAdditionalCount(message: Buffer, count: number): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt16BE(count, 10);
  return copy;
}

const u16 = (value: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
};
const u32 = (value: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
};
const u48 = (value: number): Buffer => {
  const b = Buffer.alloc(6);
  b.writeUIntBE(value, 0, 6);
  return b;
};
