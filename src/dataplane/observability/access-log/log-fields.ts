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

/**
 * The fields of a line, named as Traefik names them, without those `accessLog.fields`
 * drops: the fields of every request, those of a routed one (the origin fields, zero
 * until a server answers), those of a request a server answered, and the headers, each
 * prefixed with where it was seen (`request_`, `origin_`, `downstream_`).
 */
export function logFields(record: AccessRecord, modes: FieldModes): LogFields {
  const fields = new Map<string, LogValue>();
  const put = (name: string, value: LogValue): void => {
    if (modes.keepsField(name)) fields.set(name, value);
  };
  put('StartUTC', new LogTime(record.start, true));
  put('StartLocal', new LogTime(record.start, false));
  put('Duration', record.durationNs);
  put('RequestCount', record.requestCount);
  put('entryPointName', record.entryPoint);
  put('ClientAddr', record.clientAddr);
  put('ClientHost', record.clientHost);
  put('ClientPort', record.clientPort);
  put('ClientUsername', record.clientUsername);
  if (record.requestAddr !== '') {
    put('RequestAddr', record.requestAddr);
    put('RequestHost', record.requestHost);
    put('RequestPort', record.requestPort);
  }
  put('RequestMethod', record.requestMethod);
  put('RequestPath', record.requestPath);
  put('RequestProtocol', record.requestProtocol);
  put('RequestScheme', record.requestScheme);
  put('RequestContentSize', record.requestContentSize);
  if (record.tlsVersion !== '') {
    put('TLSVersion', record.tlsVersion);
    put('TLSCipher', record.tlsCipher);
  }
  let overhead = record.durationNs;
  if (record.routerName !== '') {
    put('RouterName', record.routerName);
    put('OriginDuration', record.originDurationNs);
    put('OriginStatus', record.originStatus);
    put('OriginContentSize', record.originContentSize);
    overhead -= record.originDurationNs;
  }
  if (record.serviceUrl !== '') {
    put('ServiceName', record.serviceName);
    put('ServiceURL', record.serviceUrl);
    put('ServiceAddr', record.serviceAddr);
  }
  put('DownstreamStatus', record.downstreamStatus);
  put('DownstreamContentSize', record.downstreamContentSize);
  put('Overhead', overhead);
  put('RetryAttempts', record.retryAttempts);
  addHeaders(fields, 'request_', record.requestHeaders);
  addHeaders(fields, 'origin_', record.originHeaders);
  addHeaders(fields, 'downstream_', record.downstreamHeaders);
  return fields;
}

function addHeaders(fields: Map<string, LogValue>, prefix: string, headers: readonly HeaderField[]): void {
  for (const [name, value] of headers) fields.set(prefix + name, value);
}
