import { clfTime, rfc3339Local, rfc3339Nano } from './go-time.js';
import { LogTime } from './log-fields.js';
import type { LogFields, LogValue } from './log-fields.js';

/** Writes one line (newline included) from a request's fields; `now` stamps JSON lines. */
export type LineFormat = (fields: LogFields, now: number) => string;

/**
 * Traefik's `common` format, its extended CLF: `<ClientHost> - <ClientUsername>
 * [<start>] "<method> <path> <protocol>" <DownstreamStatus> <DownstreamContentSize>
 * "<Referer>" "<User-Agent>" <RequestCount> "<RouterName>" "<ServiceURL>" <Duration>ms`.
 * A field dropped or absent shows as `-` (`"-"` where quoted).
 */
export function commonLine(fields: LogFields): string {
  const duration = fields.get('Duration');
  const ms = typeof duration === 'number' ? Math.trunc(duration / 1e6) : 0;
  return (
    `${clfHead(fields)} ${clf(fields, 'RequestCount', '-', true)} ${clf(fields, 'RouterName', '"-"', true)} ` +
    `${clf(fields, 'ServiceURL', '"-"', true)} ${ms}ms\n`
  );
}

/** Traefik's `genericCLF`: the Combined Log Format analyzers read, without Traefik's extras. */
export function genericClfLine(fields: LogFields): string {
  return `${clfHead(fields)}\n`;
}

function clfHead(fields: LogFields): string {
  return (
    `${clf(fields, 'ClientHost', '-', false)} - ${clf(fields, 'ClientUsername', '-', false)} ` +
    `[${clfStart(fields)}] "${clf(fields, 'RequestMethod', '-', false)} ` +
    `${clf(fields, 'RequestPath', '-', false)} ${clf(fields, 'RequestProtocol', '-', false)}" ` +
    `${clf(fields, 'DownstreamStatus', '-', true)} ${clf(fields, 'DownstreamContentSize', '-', true)} ` +
    `${clf(fields, 'request_Referer', '"-"', true)} ${clf(fields, 'request_User-Agent', '"-"', true)}`
  );
}

// The start in UTC, unless StartUTC is dropped: then in local time (Traefik's advice for
// logging in a time zone).
function clfStart(fields: LogFields): string {
  const start = fields.get('StartUTC') ?? fields.get('StartLocal');
  return start instanceof LogTime ? clfTime(start.epochMs, start.utc) : '-';
}

// Traefik's toLog: a string is quoted when asked, an empty one is the fallback, and a
// number is written as it is.
function clf(fields: LogFields, name: string, fallback: string, quoted: boolean): string {
  const value = fields.get(name);
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value === '') return fallback;
  return quoted ? `"${value}"` : value;
}

/**
 * Traefik's `json` format, as logrus writes it: one object per line, keys sorted, times in
 * RFC 3339 with nanoseconds, durations in nanoseconds, plus `level`, `msg` and `time`.
 */
export function jsonLine(fields: LogFields, now: number): string {
  const entries: [string, LogValue][] = [
    ...fields,
    ['level', 'info'],
    ['msg', ''],
    ['time', rfc3339Local(now)],
  ];
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let line = '{';
  for (const [name, value] of entries) {
    if (line.length > 1) line += ',';
    line += `${JSON.stringify(name)}:${jsonValue(value)}`;
  }
  return `${goEscape(line)}}\n`;
}

function jsonValue(value: LogValue): string {
  if (value instanceof LogTime) return `"${rfc3339Nano(value.epochMs, value.utc)}"`;
  return JSON.stringify(value);
}

// Go's encoder also escapes <, > and & (for HTML) and the JavaScript line separators.
// They can only appear inside strings, so the whole line can be rewritten.
const GO_ESCAPED = /[<>&\u2028\u2029]/g;
const goEscape = (line: string): string =>
  line.replace(GO_ESCAPED, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
