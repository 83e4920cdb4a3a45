import type { AccessRecord, HeaderField } from './exchange.js';
import { NANO_MAX_BYTES, Rfc3339Writer } from './go-time.js';
import type { LineEncoder } from './line-encoder.js';
import type { KeptFields } from './log-fields.js';

/**
 * Traefik's `json` format, as logrus writes it: one object per line, keys sorted, times in
 * RFC 3339 with nanoseconds, durations in nanoseconds, plus `level`, `msg` and `time` (the
 * line's own time, local, to the second).
 *
 * A line is written by one straight function, straight into the writer's chunk, its keys
 * in logrus's order, each field behind a flag worked out here from `accessLog.fields`. It
 * says what the field table (log-fields.ts) says, in sorted order, a header group sorting
 * as its prefix does (no other key starts with one); a unit test holds the two to the same
 * bytes.
 *
 * Most of a line repeats the line before under steady traffic (keys, router, service,
 * host, method, status...): those members are kept as bytes in runs (see Run), each
 * copied in one call, and written again only when a value it shows changes. The values
 * that change with every request (client address, durations, count, path, times) are
 * written character by character between the runs. A line thus makes no string: building
 * one by concatenation, then flattening and encoding it into the chunk, cost about three
 * times as much (2.5 µs a line against 0.9 µs; 1.2 to 2 µs when the runs change on
 * every line).
 */
export function jsonLines(kept: KeptFields): LineEncoder<AccessRecord> {
  return new JsonLines(kept);
}

const OPEN = 0x7b; // {
// The most bytes a UTF-16 code unit of a value takes once escaped: `\u001f`.
const MAX_ESCAPED_BYTES = 6;
// The most bytes a UTF-16 code unit of text already escaped takes in UTF-8.
const MAX_UTF8_BYTES = 3;
// The longest number: String(-Number.MAX_VALUE) has 23 characters.
const NUMBER_MAX_BYTES = 24;

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

const QUOTE = 0x22; // "
const CLOSE = Buffer.from('"}\n');

// Keys as the line writes them: before a string, with its opening quote.
const textKey = (name: string): Buffer => Buffer.from(`,"${name}":"`);
const numberKey = (name: string): Buffer => Buffer.from(`,"${name}":`);
const K = {
  clientUsername: textKey('ClientUsername'),
  downstreamContentSize: numberKey('DownstreamContentSize'),
  downstreamStatus: numberKey('DownstreamStatus'),
  duration: numberKey('Duration'),
  originContentSize: numberKey('OriginContentSize'),
  originDuration: numberKey('OriginDuration'),
  originStatus: numberKey('OriginStatus'),
  overhead: numberKey('Overhead'),
  requestAddr: textKey('RequestAddr'),
  requestContentSize: numberKey('RequestContentSize'),
  requestCount: numberKey('RequestCount'),
  requestHost: textKey('RequestHost'),
  requestMethod: textKey('RequestMethod'),
  requestPath: textKey('RequestPath'),
  requestPort: textKey('RequestPort'),
  requestProtocol: textKey('RequestProtocol'),
  requestScheme: textKey('RequestScheme'),
  retryAttempts: numberKey('RetryAttempts'),
  routerName: textKey('RouterName'),
  serviceAddr: textKey('ServiceAddr'),
  serviceName: textKey('ServiceName'),
  serviceUrl: textKey('ServiceURL'),
  startLocal: textKey('StartLocal'),
  tlsCipher: textKey('TLSCipher'),
  tlsVersion: textKey('TLSVersion'),
  entryPointName: textKey('entryPointName'),
  levelAndMsg: Buffer.from(',"level":"info","msg":""'),
  time: textKey('time'),
};

/**
 * Members that steady traffic repeats line after line. The line's writer shows the run
 * each value its members depend on, in the same order every line, then asks what the run
 * may take (check). While the values are those of the line before, the run's bytes are
 * copied as they are; when one differs, the line writes the members again into the run's
 * own buffer (settle), then copies them. A value that changes every line thus costs little
 * more than writing its members would.
 */
class Run {
  readonly #seen: (string | number | boolean)[] = [];
  #at = 0;
  #changed = true;
  /** What the keys and quotes of the run may take. */
  readonly #keyBytes: number;
  /** What the run may take with the values seen so far. */
  #most: number;
  /** Where a line writes the run's members; `bytes` is the part the last one wrote. */
  store: Buffer = Buffer.alloc(0);
  bytes: Buffer = this.store;
  /** This line's values are not those the bytes show: the line writes the run. */
  stale = true;

  constructor(...keys: Buffer[]) {
    // A quote before the keys, and one after each.
    this.#keyBytes = keys.reduce((sum, key) => sum + key.length + 1, 1);
    this.#most = this.#keyBytes;
  }

  text(value: string): void {
    this.#most += MAX_ESCAPED_BYTES * value.length;
    this.#see(value);
  }

  number(value: number): void {
    this.#most += NUMBER_MAX_BYTES;
    this.#see(value);
  }

  flag(value: boolean): void {
    this.#see(value);
  }

  /** Once the line's values were shown: what the run may take on this line. */
  check(): number {
    this.#at = 0;
    this.stale = this.#changed;
    this.#changed = false;
    const most = this.#most;
    this.#most = this.#keyBytes;
    if (!this.stale) return this.bytes.length;
    if (this.store.length < most) {
      this.store = Buffer.allocUnsafe(Math.max(most, 2 * this.store.length));
      this.bytes = this.store.subarray(0, 0);
    }
    return most;
  }

  /** The line wrote the run's members into `store`, up to `length`. */
  settle(length: number): void {
    if (this.bytes.length !== length) this.bytes = this.store.subarray(0, length);
  }

  #see(value: string | number | boolean): void {
    const at = this.#at++;
    if (this.#seen[at] !== value) {
      this.#seen[at] = value;
      this.#changed = true;
    }
  }
}

/**
 * Writes a line as the runs and values below, in this order (a run also holds the key of
 * the value after it, and the closing quote of a string before it):
 *
 *   ClientAddr ClientHost ClientPort [client] Duration [originSize] OriginDuration
 *   [originStatus] Overhead [requestSize] RequestCount [requestHost] RequestPath [route]
 *   StartLocal StartUTC [tls] downstream_* [entryPoint] origin_* request_* [time]
 */
class JsonLines implements LineEncoder<AccessRecord> {
  readonly #k: ReturnType<typeof flags>;
  readonly #utc = new Rfc3339Writer(true);
  readonly #local = new Rfc3339Writer(false);
  // What surrounds the first values and StartUTC: keys and quotes only.
  readonly #beforeClientAddr: Buffer;
  readonly #beforeClientHost: Buffer;
  readonly #beforeClientPort: Buffer;
  readonly #beforeStartUtc: Buffer;
  /** What the fixed parts and the numbers and times may take. */
  readonly #fixedBytes: number;
  readonly #client = new Run(K.clientUsername, K.downstreamContentSize, K.downstreamStatus, K.duration);
  readonly #originSize = new Run(K.originContentSize, K.originDuration);
  readonly #originStatus = new Run(K.originStatus, K.overhead);
  readonly #requestSize = new Run(K.requestAddr, K.requestContentSize, K.requestCount);
  readonly #requestHost = new Run(K.requestHost, K.requestMethod, K.requestPath);
  readonly #route = new Run(
    K.requestPort,
    K.requestProtocol,
    K.requestScheme,
    K.retryAttempts,
    K.routerName,
    K.serviceAddr,
    K.serviceName,
    K.serviceUrl,
    K.startLocal,
  );
  readonly #tls = new Run(K.tlsCipher, K.tlsVersion);
  readonly #entryPoint = new Run(K.entryPointName, K.levelAndMsg);
  readonly #time = new Run(K.time, CLOSE);
  /** The line's own time, to the second, which maxBytes reads for encode. */
  #seconds = '';
  // The header members, which maxBytes makes for encode (see LineEncoder).
  #downstreamHeaders = '';
  #laterHeaders = '';

  constructor(kept: KeptFields) {
    const k = flags(kept);
    this.#k = k;
    this.#beforeClientAddr = Buffer.from(k.clientAddr ? ',"ClientAddr":"' : '');
    this.#beforeClientHost = Buffer.from((k.clientAddr ? '"' : '') + (k.clientHost ? ',"ClientHost":"' : ''));
    this.#beforeClientPort = Buffer.from((k.clientHost ? '"' : '') + (k.clientPort ? ',"ClientPort":"' : ''));
    this.#beforeStartUtc = Buffer.from((k.startLocal ? '"' : '') + (k.startUtc ? ',"StartUTC":"' : ''));
    this.#fixedBytes =
      this.#beforeClientAddr.length +
      this.#beforeClientHost.length +
      this.#beforeClientPort.length +
      this.#beforeStartUtc.length +
      4 * NUMBER_MAX_BYTES +
      2 * NANO_MAX_BYTES;
  }

  /** Shows the runs the record's values; what its line may take. */
  maxBytes(r: AccessRecord): number {
    let most =
      this.#fixedBytes +
      MAX_ESCAPED_BYTES *
        (r.clientAddr.length + r.clientHost.length + r.clientPort.length + r.requestPath.length);
    const routed = r.routerName !== '';

    const client = this.#client;
    client.text(r.clientUsername);
    client.number(r.downstreamContentSize);
    client.number(r.downstreamStatus);
    most += client.check();

    const originSize = this.#originSize;
    originSize.flag(routed);
    originSize.number(r.originContentSize);
    most += originSize.check();

    const originStatus = this.#originStatus;
    originStatus.flag(routed);
    originStatus.number(r.originStatus);
    most += originStatus.check();

    const requestSize = this.#requestSize;
    requestSize.text(r.requestAddr);
    requestSize.number(r.requestContentSize);
    most += requestSize.check();

    const requestHost = this.#requestHost;
    requestHost.text(r.requestAddr);
    requestHost.text(r.requestHost);
    requestHost.text(r.requestMethod);
    most += requestHost.check();

    const route = this.#route;
    route.text(r.requestAddr);
    route.text(r.requestPort);
    route.text(r.requestProtocol);
    route.text(r.requestScheme);
    route.number(r.retryAttempts);
    route.text(r.routerName);
    route.text(r.serviceAddr);
    route.text(r.serviceName);
    route.text(r.serviceUrl);
    most += route.check();

    const tls = this.#tls;
    tls.text(r.tlsVersion);
    tls.text(r.tlsCipher);
    most += tls.check();

    const entryPoint = this.#entryPoint;
    entryPoint.text(r.entryPoint);
    most += entryPoint.check();

    // The same string all through a second.
    const time = this.#time;
    this.#seconds = this.#local.seconds(r.end);
    time.text(this.#seconds);
    most += time.check();

    if (this.#k.headers) {
      this.#downstreamHeaders = headerMembers('downstream_', r.downstreamHeaders);
      this.#laterHeaders =
        headerMembers('origin_', r.originHeaders) + headerMembers('request_', r.requestHeaders);
      most += MAX_UTF8_BYTES * (this.#downstreamHeaders.length + this.#laterHeaders.length);
    }
    return most;
  }

  encode(r: AccessRecord, buf: Buffer, offset: number): number {
    const k = this.#k;
    const routed = r.routerName !== '';
    const host = r.requestAddr !== '';
    let at = put(buf, offset, this.#beforeClientAddr);
    if (k.clientAddr) at = putText(buf, at, r.clientAddr);
    at = put(buf, at, this.#beforeClientHost);
    if (k.clientHost) at = putText(buf, at, r.clientHost);
    at = put(buf, at, this.#beforeClientPort);
    if (k.clientPort) at = putText(buf, at, r.clientPort);

    const client = this.#client;
    if (client.stale) {
      const b = client.store;
      let i = 0;
      if (k.clientPort) b[i++] = QUOTE;
      if (k.clientUsername) i = textMember(b, i, K.clientUsername, r.clientUsername);
      if (k.downstreamContentSize) i = numberMember(b, i, K.downstreamContentSize, r.downstreamContentSize);
      if (k.downstreamStatus) i = numberMember(b, i, K.downstreamStatus, r.downstreamStatus);
      if (k.duration) i = put(b, i, K.duration);
      client.settle(i);
    }
    at = put(buf, at, client.bytes);
    if (k.duration) at = putNumber(buf, at, r.durationNs);

    const originSize = this.#originSize;
    if (originSize.stale) {
      const b = originSize.store;
      let i = 0;
      if (routed && k.originContentSize) i = numberMember(b, i, K.originContentSize, r.originContentSize);
      if (routed && k.originDuration) i = put(b, i, K.originDuration);
      originSize.settle(i);
    }
    at = put(buf, at, originSize.bytes);
    if (routed && k.originDuration) at = putNumber(buf, at, r.originDurationNs);

    const originStatus = this.#originStatus;
    if (originStatus.stale) {
      const b = originStatus.store;
      let i = 0;
      if (routed && k.originStatus) i = numberMember(b, i, K.originStatus, r.originStatus);
      if (k.overhead) i = put(b, i, K.overhead);
      originStatus.settle(i);
    }
    at = put(buf, at, originStatus.bytes);
    // What the origin did not take of the whole duration.
    if (k.overhead) at = putNumber(buf, at, routed ? r.durationNs - r.originDurationNs : r.durationNs);

    const requestSize = this.#requestSize;
    if (requestSize.stale) {
      const b = requestSize.store;
      let i = 0;
      if (host && k.requestAddr) i = textMember(b, i, K.requestAddr, r.requestAddr);
      if (k.requestContentSize) i = numberMember(b, i, K.requestContentSize, r.requestContentSize);
      if (k.requestCount) i = put(b, i, K.requestCount);
      requestSize.settle(i);
    }
    at = put(buf, at, requestSize.bytes);
    if (k.requestCount) at = putNumber(buf, at, r.requestCount);

    const requestHost = this.#requestHost;
    if (requestHost.stale) {
      const b = requestHost.store;
      let i = 0;
      if (host && k.requestHost) i = textMember(b, i, K.requestHost, r.requestHost);
      if (k.requestMethod) i = textMember(b, i, K.requestMethod, r.requestMethod);
      if (k.requestPath) i = put(b, i, K.requestPath);
      requestHost.settle(i);
    }
    at = put(buf, at, requestHost.bytes);
    if (k.requestPath) at = putText(buf, at, r.requestPath);

    const route = this.#route;
    if (route.stale) {
      const b = route.store;
      let i = 0;
      if (k.requestPath) b[i++] = QUOTE;
      if (host && k.requestPort) i = textMember(b, i, K.requestPort, r.requestPort);
      if (k.requestProtocol) i = textMember(b, i, K.requestProtocol, r.requestProtocol);
      if (k.requestScheme) i = textMember(b, i, K.requestScheme, r.requestScheme);
      if (k.retryAttempts) i = numberMember(b, i, K.retryAttempts, r.retryAttempts);
      if (routed && k.routerName) i = textMember(b, i, K.routerName, r.routerName);
      if (r.serviceUrl !== '') {
        if (k.serviceAddr) i = textMember(b, i, K.serviceAddr, r.serviceAddr);
        if (k.serviceName) i = textMember(b, i, K.serviceName, r.serviceName);
        if (k.serviceUrl) i = textMember(b, i, K.serviceUrl, r.serviceUrl);
      }
      if (k.startLocal) i = put(b, i, K.startLocal);
      route.settle(i);
    }
    at = put(buf, at, route.bytes);

    const local = at;
    if (k.startLocal) at = this.#local.putNano(buf, at, r.start);
    const localEnd = at;
    at = put(buf, at, this.#beforeStartUtc);
    if (k.startUtc) {
      // Where local time is UTC (most servers, containers), the text is the same.
      if (k.startLocal && this.#local.wroteUtc) {
        buf.copyWithin(at, local, localEnd);
        at += localEnd - local;
      } else {
        at = this.#utc.putNano(buf, at, r.start);
      }
    }

    const tls = this.#tls;
    if (tls.stale) {
      const b = tls.store;
      let i = 0;
      if (k.startUtc) b[i++] = QUOTE;
      if (r.tlsVersion !== '') {
        if (k.tlsCipher) i = textMember(b, i, K.tlsCipher, r.tlsCipher);
        if (k.tlsVersion) i = textMember(b, i, K.tlsVersion, r.tlsVersion);
      }
      tls.settle(i);
    }
    at = put(buf, at, tls.bytes);

    if (k.headers) at += buf.write(this.#downstreamHeaders, at, 'utf8');
    const entryPoint = this.#entryPoint;
    if (entryPoint.stale) {
      const b = entryPoint.store;
      let i = 0;
      if (k.entryPointName) i = textMember(b, i, K.entryPointName, r.entryPoint);
      entryPoint.settle(put(b, i, K.levelAndMsg));
    }
    at = put(buf, at, entryPoint.bytes);
    if (k.headers) {
      at += buf.write(this.#laterHeaders, at, 'utf8');
      this.#downstreamHeaders = '';
      this.#laterHeaders = '';
    }

    const time = this.#time;
    if (time.stale) {
      const b = time.store;
      time.settle(put(b, putText(b, put(b, 0, K.time), this.#seconds), CLOSE));
    }
    at = put(buf, at, time.bytes);
    // Every member starts with a comma: the first one becomes the opening brace.
    buf[offset] = OPEN;
    return at;
  }
}

/** `,"Name":"value"`, the key as given. */
function textMember(buf: Buffer, offset: number, key: Buffer, value: string): number {
  const at = putText(buf, put(buf, offset, key), value);
  buf[at] = QUOTE;
  return at + 1;
}

/** `,"Name":value`, the key as given. */
function numberMember(buf: Buffer, offset: number, key: Buffer, value: number): number {
  return putNumber(buf, put(buf, offset, key), value);
}

function put(buf: Buffer, offset: number, bytes: Buffer): number {
  buf.set(bytes, offset);
  return offset + bytes.length;
}

// Which ASCII characters a JSON string holds as they are, for Go's encoder as for
// JSON.stringify: not a control character, quote, backslash, or <, > and & (Go escapes
// them for HTML).
const PLAIN_ASCII = new Uint8Array(0x80);
for (let c = 0x20; c < 0x80; c++) PLAIN_ASCII[c] = 1;
for (const c of '"\\<>&') PLAIN_ASCII[c.charCodeAt(0)] = 0;

/** A string value's characters, escaped as Go escapes them, without its quotes. */
function putText(buf: Buffer, offset: number, text: string): number {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 || PLAIN_ASCII[c] === 0) {
      const quoted = quote(text);
      return offset + buf.write(quoted.slice(1, -1), offset, 'utf8');
    }
    buf[offset + i] = c;
  }
  return offset + length;
}

/** A number as JSON.stringify writes it. */
function putNumber(buf: Buffer, offset: number, value: number): number {
  // Counts, sizes and durations: integers, and below 2^31 but for a request of 2 s or more.
  if ((value | 0) !== value || value < 0) return offset + buf.write(num(value), offset, 'latin1');
  let digits = 1;
  for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
  const end = offset + digits;
  let rest = value;
  for (let at = end - 1; at >= offset; at--) {
    const next = (rest / 10) | 0;
    buf[at] = 0x30 + rest - next * 10;
    rest = next;
  }
  return end;
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
