import type { AccessRecord, HeaderField } from './exchange.js';
import { Rfc3339Writer } from './go-time.js';
import type { LineEncoder } from './line-encoder.js';
import type { KeptFields } from './log-fields.js';

/**
 * Traefik's `json` format, as logrus writes it: one object per line, keys sorted, times in
 * RFC 3339 with nanoseconds, durations in nanoseconds, plus `level`, `msg` and `time` (the
 * line's own time, local, to the second).
 *
 * A line is written as bytes straight into the writer's chunk by one function, its keys
 * already in logrus's order and encoded, each field behind a flag worked out here from
 * `accessLog.fields`: no object, no sort and (for plain ASCII values) no string per line,
 * so that logging adds next to no garbage to collect. It says what the field table
 * (log-fields.ts) says, in sorted order, a header group sorting as its prefix does (no
 * other key starts with one); a unit test holds the two to the same bytes.
 */
export function jsonLines(kept: KeptFields): LineEncoder<AccessRecord> {
  return new JsonLines(kept);
}

const key = (name: string): Buffer => Buffer.from(`,"${name}":`, 'latin1');
const K = {
  clientAddr: key('ClientAddr'),
  clientHost: key('ClientHost'),
  clientPort: key('ClientPort'),
  clientUsername: key('ClientUsername'),
  downstreamContentSize: key('DownstreamContentSize'),
  downstreamStatus: key('DownstreamStatus'),
  duration: key('Duration'),
  originContentSize: key('OriginContentSize'),
  originDuration: key('OriginDuration'),
  originStatus: key('OriginStatus'),
  overhead: key('Overhead'),
  requestAddr: key('RequestAddr'),
  requestContentSize: key('RequestContentSize'),
  requestCount: key('RequestCount'),
  requestHost: key('RequestHost'),
  requestMethod: key('RequestMethod'),
  requestPath: key('RequestPath'),
  requestPort: key('RequestPort'),
  requestProtocol: key('RequestProtocol'),
  requestScheme: key('RequestScheme'),
  retryAttempts: key('RetryAttempts'),
  routerName: key('RouterName'),
  serviceAddr: key('ServiceAddr'),
  serviceName: key('ServiceName'),
  serviceUrl: key('ServiceURL'),
  startLocal: key('StartLocal'),
  startUtc: key('StartUTC'),
  tlsCipher: key('TLSCipher'),
  tlsVersion: key('TLSVersion'),
  entryPointName: key('entryPointName'),
  time: key('time'),
};
const LEVEL_AND_MSG = Buffer.from(',"level":"info","msg":""', 'latin1');
// Every key with its punctuation, the quotes of 18 strings, 13 numbers of up to 24
// characters, 3 times, the closing brace and the newline.
const FIXED_BYTES =
  Object.values(K).reduce((sum, bytes) => sum + bytes.length, 0) +
  LEVEL_AND_MSG.length +
  2 * 18 +
  13 * 24 +
  3 * 48 +
  2;
// The most bytes one UTF-16 unit of a string value can take once escaped (\u00XX).
const MAX_ESCAPED = 6;

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
const QUOTE = 0x22;
const NEWLINE = 0x0a;

// Field flags, one property each, fixed shape: the writer's checks stay monomorphic.
function flags(kept: KeptFields) {
  const k = (name: string): boolean => kept.keeps(name);
  return {
    clientAddr: k('ClientAddr'),
    clientHost: k('ClientHost'),
    clientPort: k('ClientPort'),
    clientUsername: k('ClientUsername'),
    downstreamContentSize: k('DownstreamContentSize'),
    downstreamStatus: k('DownstreamStatus'),
    duration: k('Duration'),
    originContentSize: k('OriginContentSize'),
    originDuration: k('OriginDuration'),
    originStatus: k('OriginStatus'),
    overhead: k('Overhead'),
    requestAddr: k('RequestAddr'),
    requestContentSize: k('RequestContentSize'),
    requestCount: k('RequestCount'),
    requestHost: k('RequestHost'),
    requestMethod: k('RequestMethod'),
    requestPath: k('RequestPath'),
    requestPort: k('RequestPort'),
    requestProtocol: k('RequestProtocol'),
    requestScheme: k('RequestScheme'),
    retryAttempts: k('RetryAttempts'),
    routerName: k('RouterName'),
    serviceAddr: k('ServiceAddr'),
    serviceName: k('ServiceName'),
    serviceUrl: k('ServiceURL'),
    startLocal: k('StartLocal'),
    startUtc: k('StartUTC'),
    tlsCipher: k('TLSCipher'),
    tlsVersion: k('TLSVersion'),
    entryPointName: k('entryPointName'),
    headers: kept.headerGroups.length > 0,
  };
}

class JsonLines implements LineEncoder<AccessRecord> {
  readonly #k: ReturnType<typeof flags>;
  readonly #utc = new Rfc3339Writer(true);
  readonly #local = new Rfc3339Writer(false);

  constructor(kept: KeptFields) {
    this.#k = flags(kept);
  }

  maxBytes(r: AccessRecord): number {
    const units =
      r.clientAddr.length +
      r.clientHost.length +
      r.clientPort.length +
      r.clientUsername.length +
      r.requestAddr.length +
      r.requestHost.length +
      r.requestPort.length +
      r.requestMethod.length +
      r.requestPath.length +
      r.requestProtocol.length +
      r.requestScheme.length +
      r.routerName.length +
      r.serviceAddr.length +
      r.serviceName.length +
      r.serviceUrl.length +
      r.tlsCipher.length +
      r.tlsVersion.length +
      r.entryPoint.length;
    let bytes = FIXED_BYTES + units * MAX_ESCAPED;
    if (this.#k.headers) {
      bytes += headersMaxBytes(r.requestHeaders) + 2 * headersMaxBytes(r.downstreamHeaders);
    }
    return bytes;
  }

  encode(r: AccessRecord, buf: Buffer, start: number): number {
    const k = this.#k;
    const routed = r.routerName !== '';
    const host = r.requestAddr !== '';
    // Every member starts with a comma; the first one's becomes the opening brace.
    let o = start;
    if (k.clientAddr) o = putString(buf, putKey(buf, o, K.clientAddr), r.clientAddr);
    if (k.clientHost) o = putString(buf, putKey(buf, o, K.clientHost), r.clientHost);
    if (k.clientPort) o = putString(buf, putKey(buf, o, K.clientPort), r.clientPort);
    if (k.clientUsername) o = putString(buf, putKey(buf, o, K.clientUsername), r.clientUsername);
    if (k.downstreamContentSize) {
      o = putNumber(buf, putKey(buf, o, K.downstreamContentSize), r.downstreamContentSize);
    }
    if (k.downstreamStatus) o = putNumber(buf, putKey(buf, o, K.downstreamStatus), r.downstreamStatus);
    if (k.duration) o = putNumber(buf, putKey(buf, o, K.duration), r.durationNs);
    if (routed) {
      if (k.originContentSize) o = putNumber(buf, putKey(buf, o, K.originContentSize), r.originContentSize);
      if (k.originDuration) o = putNumber(buf, putKey(buf, o, K.originDuration), r.originDurationNs);
      if (k.originStatus) o = putNumber(buf, putKey(buf, o, K.originStatus), r.originStatus);
    }
    // What the origin did not take of the whole duration.
    if (k.overhead) {
      o = putNumber(
        buf,
        putKey(buf, o, K.overhead),
        routed ? r.durationNs - r.originDurationNs : r.durationNs,
      );
    }
    if (host && k.requestAddr) o = putString(buf, putKey(buf, o, K.requestAddr), r.requestAddr);
    if (k.requestContentSize) o = putNumber(buf, putKey(buf, o, K.requestContentSize), r.requestContentSize);
    if (k.requestCount) o = putNumber(buf, putKey(buf, o, K.requestCount), r.requestCount);
    if (host && k.requestHost) o = putString(buf, putKey(buf, o, K.requestHost), r.requestHost);
    if (k.requestMethod) o = putString(buf, putKey(buf, o, K.requestMethod), r.requestMethod);
    if (k.requestPath) o = putString(buf, putKey(buf, o, K.requestPath), r.requestPath);
    if (host && k.requestPort) o = putString(buf, putKey(buf, o, K.requestPort), r.requestPort);
    if (k.requestProtocol) o = putString(buf, putKey(buf, o, K.requestProtocol), r.requestProtocol);
    if (k.requestScheme) o = putString(buf, putKey(buf, o, K.requestScheme), r.requestScheme);
    if (k.retryAttempts) o = putNumber(buf, putKey(buf, o, K.retryAttempts), r.retryAttempts);
    if (routed && k.routerName) o = putString(buf, putKey(buf, o, K.routerName), r.routerName);
    if (r.serviceUrl !== '') {
      if (k.serviceAddr) o = putString(buf, putKey(buf, o, K.serviceAddr), r.serviceAddr);
      if (k.serviceName) o = putString(buf, putKey(buf, o, K.serviceName), r.serviceName);
      if (k.serviceUrl) o = putString(buf, putKey(buf, o, K.serviceUrl), r.serviceUrl);
    }
    if (k.startLocal) o = putAscii(buf, putKey(buf, o, K.startLocal), this.#local.nano(r.start));
    if (k.startUtc) o = putAscii(buf, putKey(buf, o, K.startUtc), this.#utc.nano(r.start));
    if (r.tlsVersion !== '') {
      if (k.tlsCipher) o = putString(buf, putKey(buf, o, K.tlsCipher), r.tlsCipher);
      if (k.tlsVersion) o = putString(buf, putKey(buf, o, K.tlsVersion), r.tlsVersion);
    }
    if (k.headers) o += buf.write(headerMembers('downstream_', r.downstreamHeaders), o, 'utf8');
    if (k.entryPointName) o = putString(buf, putKey(buf, o, K.entryPointName), r.entryPoint);
    o = putKey(buf, o, LEVEL_AND_MSG);
    if (k.headers) {
      o += buf.write(
        headerMembers('origin_', r.originHeaders) + headerMembers('request_', r.requestHeaders),
        o,
        'utf8',
      );
    }
    o = putAscii(buf, putKey(buf, o, K.time), this.#local.seconds(r.end));
    buf[start] = OPEN;
    buf[o++] = CLOSE;
    buf[o++] = NEWLINE;
    return o;
  }
}

function putKey(buf: Buffer, offset: number, bytes: Buffer): number {
  buf.set(bytes, offset);
  return offset + bytes.length;
}

/** A string known to be plain ASCII (a time), quoted. */
function putAscii(buf: Buffer, offset: number, text: string): number {
  let o = offset;
  buf[o++] = QUOTE;
  for (let i = 0; i < text.length; i++) buf[o++] = text.charCodeAt(i);
  buf[o++] = QUOTE;
  return o;
}

/**
 * A JSON string as Go's encoder writes it. Plain ASCII (the usual value) is copied as it
 * is read; at the first character to escape, or beyond ASCII, the value is written again
 * from its start through quote().
 */
function putString(buf: Buffer, offset: number, text: string): number {
  let o = offset;
  buf[o++] = QUOTE;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) {
      return offset + buf.write(quote(text), offset, 'utf8');
    }
    buf[o++] = c;
  }
  buf[o++] = QUOTE;
  return o;
}

/** A number as JSON writes it; integers digit by digit, without a string. */
function putNumber(buf: Buffer, offset: number, value: number): number {
  if (!Number.isSafeInteger(value)) return offset + buf.write(num(value), offset, 'latin1');
  let o = offset;
  let n = value;
  if (n < 0) {
    buf[o++] = 0x2d;
    n = -n;
  }
  let digits = 1;
  for (let power = 10; power <= n; power *= 10) digits++;
  const end = o + digits;
  for (let i = end - 1; i >= o; i--) {
    buf[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return end;
}

const num = (value: number): string => (Number.isFinite(value) ? String(value) : 'null');

function headersMaxBytes(headers: readonly HeaderField[]): number {
  let units = 0;
  for (const [name, value] of headers) units += name.length + value.length + 16;
  return units * MAX_ESCAPED;
}

function headerMembers(prefix: string, headers: readonly HeaderField[]): string {
  if (headers.length === 0) return '';
  const sorted =
    headers.length === 1 ? headers : [...headers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let text = '';
  for (const [name, value] of sorted) text += `,${quote(prefix + name)}:${quote(value)}`;
  return text;
}

// Go's encoder escapes <, > and & (for HTML) and the JavaScript line separators, which
// JSON.stringify leaves as they are.
const GO_ESCAPED = /[<>&\u2028\u2029]/g;

/** A JSON string as Go's encoder writes it, for values that need escaping. */
function quote(text: string): string {
  return JSON.stringify(text).replace(
    GO_ESCAPED,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
