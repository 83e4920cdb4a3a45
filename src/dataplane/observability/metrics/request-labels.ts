import type { IncomingHttpHeaders } from 'node:http';

/**
 * The `method` label: the HTTP methods Traefik names, anything else EXTENSION_METHOD (so a
 * client cannot grow the label set at will).
 */
export const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'PRI',
  'EXTENSION_METHOD',
] as const;

const EXTENSION_METHOD = METHODS.length - 1;
const METHOD_INDEX = new Map<string, number>(METHODS.map((method, i) => [method, i]));

export function methodIndex(method: string): number {
  return METHOD_INDEX.get(method) ?? EXTENSION_METHOD;
}

/** The `protocol` label, in the order Traefik tests for them. */
export const PROTOCOLS = ['http', 'websocket', 'sse', 'grpc-web', 'grpc'] as const;

export const HTTP = 0;
const WEBSOCKET = 1;
const SSE = 2;
export const GRPC_WEB = 3;
export const GRPC = 4;

/** The protocol a request speaks, read from its headers as Traefik reads them. */
export function protocolIndex(headers: IncomingHttpHeaders): number {
  const upgrade = headers.upgrade;
  if (upgrade !== undefined && hasListItem(first(headers.connection), 'upgrade')) {
    if (hasListItem(upgrade, 'websocket')) return WEBSOCKET;
  }
  const accept = headers.accept;
  if (accept !== undefined && accept.length >= 17 && hasListItem(accept, 'text/event-stream')) return SSE;
  const type = headers['content-type'];
  if (type !== undefined && type.startsWith('application/grpc')) {
    return type.startsWith('application/grpc-web') ? GRPC_WEB : GRPC;
  }
  return HTTP;
}

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

const SPACE = 0x20;
const TAB = 0x09;

/**
 * Whether one comma-separated item of `value`, trimmed and lower-cased, is `item` (which
 * is lower-case). Scans in place: no split, no allocation.
 */
export function hasListItem(value: string | undefined, item: string): boolean {
  if (value === undefined) return false;
  let start = 0;
  while (start <= value.length) {
    let end = value.indexOf(',', start);
    if (end === -1) end = value.length;
    let from = start;
    let to = end;
    while (from < to && isSpace(value.charCodeAt(from))) from++;
    while (to > from && isSpace(value.charCodeAt(to - 1))) to--;
    if (to - from === item.length && equalsLower(value, from, item)) return true;
    start = end + 1;
  }
  return false;
}

const isSpace = (code: number): boolean => code === SPACE || code === TAB;

function equalsLower(value: string, from: number, item: string): boolean {
  for (let i = 0; i < item.length; i++) {
    let code = value.charCodeAt(from + i);
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    if (code !== item.charCodeAt(i)) return false;
  }
  return true;
}

/** gRPC's Unknown, which Traefik reports when a gRPC answer carries no valid status. */
const GRPC_UNKNOWN = 2;

/** The `code` label of a gRPC request: its grpc-status (0 to 16), else Unknown. */
export function grpcCode(status: string | number | string[] | undefined): number {
  const text = typeof status === 'number' ? String(status) : status;
  if (typeof text !== 'string' || !/^\d{1,2}$/.test(text)) return GRPC_UNKNOWN;
  const code = Number(text);
  return code <= 16 ? code : GRPC_UNKNOWN;
}

/**
 * One number for a (code, method, protocol) combination, so that a request finds its
 * series with one integer map lookup instead of building a string key.
 */
export const seriesKey = (code: number, method: number, protocol: number): number =>
  (code * 16 + method) * 8 + protocol;

export function labelsOfKey(key: number): { code: string; method: string; protocol: string } {
  return {
    code: String(Math.floor(key / 128)),
    method: METHODS[Math.floor(key / 8) % 16]!,
    protocol: PROTOCOLS[key % 8]!,
  };
}
