import type { AccessRecord, HeaderField } from './exchange.js';
import type { FieldModes } from './field-modes.js';

/** A time field: each format writes it its own way. */
export class LogTime {
  constructor(
    readonly epochMs: number,
    readonly utc: boolean,
  ) {}
}

export type LogValue = string | number | LogTime;
export type LogFields = ReadonlyMap<string, LogValue>;

/** One of Traefik's fields: its name, and its value for a request (undefined: not there). */
export interface FieldSpec {
  readonly name: string;
  readonly read: (record: AccessRecord) => LogValue | undefined;
}

/** The headers of one place (`request_`, `origin_`, `downstream_`), each a field `<prefix><Name>`. */
export interface HeaderGroup {
  readonly prefix: string;
  readonly read: (record: AccessRecord) => readonly HeaderField[];
}

const routed = (record: AccessRecord): boolean => record.routerName !== '';
const served = (record: AccessRecord): boolean => record.serviceUrl !== '';
const when = <T>(present: boolean, value: T): T | undefined => (present ? value : undefined);

/**
 * Traefik's fields, named as Traefik names them: those of every request, those of a
 * routed one (the origin fields, zero until a server answers), and those of a request a
 * server answered. The Request{Addr,Host,Port} fields need a Host, the TLS ones a TLS
 * connection.
 */
const FIELDS: readonly FieldSpec[] = [
  { name: 'StartUTC', read: (r) => new LogTime(r.start, true) },
  { name: 'StartLocal', read: (r) => new LogTime(r.start, false) },
  { name: 'Duration', read: (r) => r.durationNs },
  { name: 'RequestCount', read: (r) => r.requestCount },
  { name: 'entryPointName', read: (r) => r.entryPoint },
  { name: 'ClientAddr', read: (r) => r.clientAddr },
  { name: 'ClientHost', read: (r) => r.clientHost },
  { name: 'ClientPort', read: (r) => r.clientPort },
  { name: 'ClientUsername', read: (r) => r.clientUsername },
  { name: 'RequestAddr', read: (r) => when(r.requestAddr !== '', r.requestAddr) },
  { name: 'RequestHost', read: (r) => when(r.requestAddr !== '', r.requestHost) },
  { name: 'RequestPort', read: (r) => when(r.requestAddr !== '', r.requestPort) },
  { name: 'RequestMethod', read: (r) => r.requestMethod },
  { name: 'RequestPath', read: (r) => r.requestPath },
  { name: 'RequestProtocol', read: (r) => r.requestProtocol },
  { name: 'RequestScheme', read: (r) => r.requestScheme },
  { name: 'RequestContentSize', read: (r) => r.requestContentSize },
  { name: 'TLSVersion', read: (r) => when(r.tlsVersion !== '', r.tlsVersion) },
  { name: 'TLSCipher', read: (r) => when(r.tlsVersion !== '', r.tlsCipher) },
  { name: 'RouterName', read: (r) => when(routed(r), r.routerName) },
  { name: 'OriginDuration', read: (r) => when(routed(r), r.originDurationNs) },
  { name: 'OriginStatus', read: (r) => when(routed(r), r.originStatus) },
  { name: 'OriginContentSize', read: (r) => when(routed(r), r.originContentSize) },
  { name: 'ServiceName', read: (r) => when(served(r), r.serviceName) },
  { name: 'ServiceURL', read: (r) => when(served(r), r.serviceUrl) },
  { name: 'ServiceAddr', read: (r) => when(served(r), r.serviceAddr) },
  { name: 'DownstreamStatus', read: (r) => r.downstreamStatus },
  { name: 'DownstreamContentSize', read: (r) => r.downstreamContentSize },
  // What the origin did not take of the whole duration.
  { name: 'Overhead', read: (r) => (routed(r) ? r.durationNs - r.originDurationNs : r.durationNs) },
  { name: 'RetryAttempts', read: (r) => r.retryAttempts },
];

const HEADER_GROUPS: readonly HeaderGroup[] = [
  { prefix: 'request_', read: (r) => r.requestHeaders },
  { prefix: 'origin_', read: (r) => r.originHeaders },
  { prefix: 'downstream_', read: (r) => r.downstreamHeaders },
];

/**
 * The fields a line may show, worked out once from `accessLog.fields`: those it does not
 * drop, and the header groups unless every header is dropped. Which headers of a group a
 * record holds was decided as it was read (see Exchange.record).
 */
export class KeptFields {
  readonly fields: readonly FieldSpec[];
  readonly headerGroups: readonly HeaderGroup[];
  readonly #names: ReadonlySet<string>;

  constructor(modes: FieldModes) {
    this.fields = FIELDS.filter((field) => modes.keepsField(field.name));
    this.headerGroups = modes.logsHeaders ? HEADER_GROUPS : [];
    this.#names = new Set(this.fields.map((field) => field.name));
  }

  /** Whether a line shows the field of this name (as Traefik spells it). */
  keeps(name: string): boolean {
    return this.#names.has(name);
  }
}

/** The fields of a line, by name: those `kept` allows that the record has. */
export function logFields(record: AccessRecord, kept: KeptFields): LogFields {
  const fields = new Map<string, LogValue>();
  for (const field of kept.fields) {
    const value = field.read(record);
    if (value !== undefined) fields.set(field.name, value);
  }
  for (const group of kept.headerGroups) {
    for (const [name, value] of group.read(record)) fields.set(group.prefix + name, value);
  }
  return fields;
}
