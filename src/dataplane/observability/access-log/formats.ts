import { clfTime } from './go-time.js';
import { LogTime } from './log-fields.js';
import type { LogFields } from './log-fields.js';

/** Writes one line (newline included) from a request's fields. */
export type LineFormat = (fields: LogFields) => string;

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
