// Reads the first TLS record of a connection without consuming it, as Traefik's TCP router
// does, to learn whether the client speaks TLS and which server name it asks for before
// any handshake starts: the name picks the TLS options the handshake will use.

const HANDSHAKE = 0x16;
const SSL_V2 = 0x80;
const CLIENT_HELLO = 0x01;
const SERVER_NAME = 0x0000;
const ALPN = 0x0010;
const RECORD_HEADER = 5;
/** The largest record a ClientHello may come in (2^14 bytes of payload). */
export const MAX_HELLO_RECORD = RECORD_HEADER + 16_384;

export type HelloPeek =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'plain' }
  | { readonly kind: 'tls'; readonly serverName: string; readonly alpn: readonly string[] };

const INCOMPLETE: HelloPeek = { kind: 'incomplete' };
const PLAIN: HelloPeek = { kind: 'plain' };

/**
 * Classifies the bytes a connection opened with. `incomplete` asks for more bytes; a
 * record that does not parse is still TLS (without a name), so that the handshake itself
 * refuses it.
 */
export function peekClientHello(data: Buffer): HelloPeek {
  if (data.length === 0) return INCOMPLETE;
  const first = data[0]!;
  // SSLv2 hellos start with a length whose high bit is set; the handshake will refuse them.
  if (first === SSL_V2) return { kind: 'tls', serverName: '', alpn: [] };
  if (first !== HANDSHAKE) return PLAIN;
  if (data.length < RECORD_HEADER) return INCOMPLETE;
  const length = data.readUInt16BE(3);
  if (length <= MAX_HELLO_RECORD - RECORD_HEADER && data.length < RECORD_HEADER + length) return INCOMPLETE;
  return readHello(data.subarray(RECORD_HEADER, RECORD_HEADER + length));
}

function readHello(body: Buffer): HelloPeek {
  let serverName = '';
  const alpn: string[] = [];
  const done = (): HelloPeek => ({ kind: 'tls', serverName, alpn });
  if (body[0] !== CLIENT_HELLO) return done();
  // handshake header (4), client_version (2), random (32), then the variable-length fields.
  let at = 4 + 2 + 32;
  if (at >= body.length) return done();
  at += 1 + body[at]!; // session_id
  if (at + 2 > body.length) return done();
  at += 2 + body.readUInt16BE(at); // cipher_suites
  if (at >= body.length) return done();
  at += 1 + body[at]!; // compression_methods
  if (at + 2 > body.length) return done();
  const end = Math.min(body.length, at + 2 + body.readUInt16BE(at));
  at += 2;
  while (at + 4 <= end) {
    const type = body.readUInt16BE(at);
    const size = body.readUInt16BE(at + 2);
    const ext = body.subarray(at + 4, Math.min(end, at + 4 + size));
    if (type === SERVER_NAME) serverName = readServerName(ext);
    else if (type === ALPN) readProtocols(ext, alpn);
    at += 4 + size;
  }
  return done();
}

function readServerName(ext: Buffer): string {
  // server_name_list length (2), then entries: type (1), length (2), name.
  let at = 2;
  while (at + 3 <= ext.length) {
    const type = ext[at]!;
    const size = ext.readUInt16BE(at + 1);
    if (type === 0 && at + 3 + size <= ext.length) return ext.toString('latin1', at + 3, at + 3 + size);
    at += 3 + size;
  }
  return '';
}

function readProtocols(ext: Buffer, into: string[]): void {
  // protocol_name_list length (2), then entries: length (1), name.
  let at = 2;
  while (at < ext.length) {
    const size = ext[at]!;
    if (at + 1 + size > ext.length) return;
    into.push(ext.toString('latin1', at + 1, at + 1 + size));
    at += 1 + size;
  }
}
