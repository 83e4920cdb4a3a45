import type { OutgoingHttpHeaders } from 'node:http';
import type { ProxyResponse } from '../../handler.js';
import { canonicalHeaderKey } from '../header-names/index.js';
import { onResponseHead, sentHeaderNames, type HeadHeaders } from '../response-head/index.js';

type Callback = (error?: Error | null) => void;
type Write = (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;
type End = (chunk?: unknown, encoding?: unknown, callback?: unknown) => unknown;
type AddTrailers = (headers: OutgoingHttpHeaders | readonly [string, string][]) => void;

const kGrpcWeb = Symbol('switchyard.grpcWeb');

interface Translation {
  readonly text: boolean;
  readonly write: Write;
  readonly end: End;
  trailers: OutgoingHttpHeaders;
}

interface Translated {
  [kGrpcWeb]?: Translation;
  write: Write;
  end: End;
  addTrailers: AddTrailers;
  readonly headersSent: boolean;
  statusCode: number;
  writeHead(status: number): unknown;
}

const BINARY = 'application/grpc-web';
const TEXT = 'application/grpc-web-text';

/**
 * Turns the gRPC answer written to `res` into grpc-web, as improbable-eng's grpcweb
 * wrapper does in Traefik: the head gets the grpc-web content type and lists every header
 * in Access-Control-Expose-Headers, the trailers become a last length-prefixed frame
 * (flag 0x80) at the end of the body, and for grpc-web-text the body is base64, each
 * write a padded part of its own as Go's flush after every write makes it.
 */
export function translateResponse(res: ProxyResponse, text: boolean): void {
  const translated = res as unknown as Translated;
  translated[kGrpcWeb] = { text, write: translated.write, end: translated.end, trailers: {} };
  onResponseHead(res, prepareHead, text);
  translated.write = writeBody;
  translated.end = endWithTrailers;
  translated.addTrailers = keepTrailers;
}

function prepareHead(head: HeadHeaders, _status: number, text: boolean): void {
  // The trailer frame (and base64) change the length; a Trailer announcement has no use.
  head.remove('trailer');
  head.remove('content-length');
  const type = head.get('content-type');
  if (typeof type === 'string')
    head.set('content-type', type.replace('application/grpc', text ? TEXT : BINARY));
  const exposed = head.names().map(canonicalHeaderKey);
  exposed.push('grpc-status', 'grpc-message');
  head.set('access-control-expose-headers', exposed.join(', '));
}

function writeBody(this: Translated, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
  const state = this[kGrpcWeb]!;
  if (!state.text) return state.write.call(this, chunk, encoding, callback);
  const done = typeof encoding === 'function' ? encoding : callback;
  const bytes =
    typeof chunk === 'string'
      ? Buffer.from(chunk, (typeof encoding === 'string' ? encoding : 'utf8') as BufferEncoding)
      : Buffer.from(chunk as Uint8Array);
  if (bytes.length === 0) return state.write.call(this, '', 'latin1', done);
  return state.write.call(this, bytes.toString('base64'), 'latin1', done);
}

function endWithTrailers(this: Translated, chunk?: unknown, encoding?: unknown, callback?: unknown): unknown {
  const state = this[kGrpcWeb]!;
  let done = callback;
  if (typeof chunk === 'function') {
    done = chunk;
  } else {
    if (typeof encoding === 'function') done = encoding;
    if (chunk !== undefined && chunk !== null && (chunk as { length: number }).length > 0) {
      this.write(chunk, typeof encoding === 'string' ? encoding : undefined);
    }
  }
  if (!this.headersSent) this.writeHead(this.statusCode);
  const frame = trailerFrame(state.trailers, new Set(sentHeaderNames(this as unknown as ProxyResponse)));
  const out = state.text ? frame.toString('base64') : frame;
  return state.end.call(this, out, state.text ? 'latin1' : undefined, done as Callback | undefined);
}

function keepTrailers(this: Translated, headers: OutgoingHttpHeaders | readonly [string, string][]): void {
  const trailers = this[kGrpcWeb]!.trailers;
  if (Array.isArray(headers)) for (const [name, value] of headers) trailers[name.toLowerCase()] = value;
  else for (const [name, value] of Object.entries(headers)) trailers[name.toLowerCase()] = value;
}

/**
 * The grpc-web trailer frame: 0x80, the length as 4 bytes big-endian, then the trailers
 * not already sent as headers, in lower case, sorted, one `name: value\r\n` line per value.
 */
export function trailerFrame(trailers: OutgoingHttpHeaders, sent: ReadonlySet<string>): Buffer {
  let block = '';
  for (const name of Object.keys(trailers).sort()) {
    const value = trailers[name];
    if (value === undefined || name === 'trailer' || sent.has(name)) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      block += `${name}: ${String(item)
        .replace(/[\r\n]/g, ' ')
        .trim()}\r\n`;
    }
  }
  const body = Buffer.from(block, 'latin1');
  const frame = Buffer.allocUnsafe(5 + body.length);
  frame[0] = 0x80;
  frame.writeUInt32BE(body.length, 1);
  body.copy(frame, 5);
  return frame;
}
