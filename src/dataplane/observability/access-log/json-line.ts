import type { AccessRecord, HeaderField } from './exchange.js';
import { Rfc3339Writer } from './go-time.js';
import type { LineEncoder } from './line-encoder.js';
import type { KeptFields } from './log-fields.js';

/**
 * Traefik's `json` format, as logrus writes it: one object per line, keys sorted, times in
 * RFC 3339 with nanoseconds, durations in nanoseconds, plus `level`, `msg` and `time` (the
 * line's own time, local, to the second).
 *
 * A line is written by one straight function, its keys already in logrus's order and
 * quoted, each field behind a flag worked out here from `accessLog.fields`: no object per
 * line, no sort, no call per field, no JSON.stringify of plain values. It says what the
 * field table (log-fields.ts) says, in sorted order, a header group sorting as its prefix
 * does (no other key starts with one); a unit test holds the two to the same bytes.
 * (Writing the bytes one by one into the chunk instead of building a string was tried:
 * it allocates less but runs slower in the data plane than V8's string concatenation.)
 */
export function jsonLines(kept: KeptFields): LineEncoder<AccessRecord> {
  return new JsonLines(kept);
}

// The most bytes a UTF-16 code unit takes in UTF-8.
const MAX_BYTES_PER_UNIT = 3;
const OPEN = 0x7b; // {

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
  // The line maxBytes made for encode, which always follows it for the same record.
  #line = '';

  constructor(kept: KeptFields) {
    this.#k = flags(kept);
  }

  maxBytes(r: AccessRecord): number {
    this.#line = this.#members(r);
    return this.#line.length * MAX_BYTES_PER_UNIT;
  }

  encode(_r: AccessRecord, buf: Buffer, offset: number): number {
    const end = offset + buf.write(this.#line, offset, 'utf8');
    // The first member's comma becomes the opening brace: no copy of the line to drop it.
    buf[offset] = OPEN;
    this.#line = '';
    return end;
  }

  /** The line, but for its opening brace: every member, each after a comma. */
  #members(r: AccessRecord): string {
    const k = this.#k;
    const routed = r.routerName !== '';
    const host = r.requestAddr !== '';
    // Every member starts with a comma; encode turns the first one into the brace.
    let s = '';
    if (k.clientAddr) s += `,"ClientAddr":${quote(r.clientAddr)}`;
    if (k.clientHost) s += `,"ClientHost":${quote(r.clientHost)}`;
    if (k.clientPort) s += `,"ClientPort":${quote(r.clientPort)}`;
    if (k.clientUsername) s += `,"ClientUsername":${quote(r.clientUsername)}`;
    if (k.downstreamContentSize) s += `,"DownstreamContentSize":${num(r.downstreamContentSize)}`;
    if (k.downstreamStatus) s += `,"DownstreamStatus":${num(r.downstreamStatus)}`;
    if (k.duration) s += `,"Duration":${num(r.durationNs)}`;
    if (routed) {
      if (k.originContentSize) s += `,"OriginContentSize":${num(r.originContentSize)}`;
      if (k.originDuration) s += `,"OriginDuration":${num(r.originDurationNs)}`;
      if (k.originStatus) s += `,"OriginStatus":${num(r.originStatus)}`;
    }
    // What the origin did not take of the whole duration.
    if (k.overhead) s += `,"Overhead":${num(routed ? r.durationNs - r.originDurationNs : r.durationNs)}`;
    if (host && k.requestAddr) s += `,"RequestAddr":${quote(r.requestAddr)}`;
    if (k.requestContentSize) s += `,"RequestContentSize":${num(r.requestContentSize)}`;
    if (k.requestCount) s += `,"RequestCount":${num(r.requestCount)}`;
    if (host && k.requestHost) s += `,"RequestHost":${quote(r.requestHost)}`;
    if (k.requestMethod) s += `,"RequestMethod":${quote(r.requestMethod)}`;
    if (k.requestPath) s += `,"RequestPath":${quote(r.requestPath)}`;
    if (host && k.requestPort) s += `,"RequestPort":${quote(r.requestPort)}`;
    if (k.requestProtocol) s += `,"RequestProtocol":${quote(r.requestProtocol)}`;
    if (k.requestScheme) s += `,"RequestScheme":${quote(r.requestScheme)}`;
    if (k.retryAttempts) s += `,"RetryAttempts":${num(r.retryAttempts)}`;
    if (routed && k.routerName) s += `,"RouterName":${quote(r.routerName)}`;
    if (r.serviceUrl !== '') {
      if (k.serviceAddr) s += `,"ServiceAddr":${quote(r.serviceAddr)}`;
      if (k.serviceName) s += `,"ServiceName":${quote(r.serviceName)}`;
      if (k.serviceUrl) s += `,"ServiceURL":${quote(r.serviceUrl)}`;
    }
    if (k.startLocal) s += `,"StartLocal":"${this.#local.nano(r.start)}"`;
    if (k.startUtc) s += `,"StartUTC":"${this.#utc.nano(r.start)}"`;
    if (r.tlsVersion !== '') {
      if (k.tlsCipher) s += `,"TLSCipher":${quote(r.tlsCipher)}`;
      if (k.tlsVersion) s += `,"TLSVersion":${quote(r.tlsVersion)}`;
    }
    if (k.headers) s += headerMembers('downstream_', r.downstreamHeaders);
    if (k.entryPointName) s += `,"entryPointName":${quote(r.entryPoint)}`;
    s += ',"level":"info","msg":""';
    if (k.headers)
      s += headerMembers('origin_', r.originHeaders) + headerMembers('request_', r.requestHeaders);
    return `${s},"time":"${this.#local.seconds(r.end)}"}\n`;
  }
}

const num = (value: number): string => (Number.isFinite(value) ? String(value) : 'null');

function headerMembers(prefix: string, headers: readonly HeaderField[]): string {
  if (headers.length === 0) return '';
  const sorted =
    headers.length === 1 ? headers : [...headers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let text = '';
  for (const [name, value] of sorted) text += `,${quote(prefix + name)}:${quote(value)}`;
  return text;
}

// What JSON.stringify leaves as it is and Go's encoder too: no quote, backslash, control
// character, HTML character or JavaScript line separator, and no surrogate.
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const PLAIN = /^[^"\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]*$/;
// Go's encoder escapes <, > and & (for HTML) and the JavaScript line separators, which
// JSON.stringify leaves as they are.
const GO_ESCAPED = /[<>&\u2028\u2029]/g;

/** A JSON string as Go's encoder writes it. */
function quote(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  return JSON.stringify(text).replace(
    GO_ESCAPED,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
