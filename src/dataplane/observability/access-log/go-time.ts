// Go's time layouts, as Traefik's access log writes them. A time is epoch milliseconds
// with a fraction (performance.timeOrigin + performance.now()); a double that large
// holds it to a quarter of a microsecond, so times are written to the microsecond.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Parts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Nanoseconds within the second. */
  readonly nanos: number;
  /** Minutes east of UTC. */
  readonly offset: number;
}

function partsOf(epochMs: number, utc: boolean): Parts {
  let whole = Math.floor(epochMs);
  let micros = Math.round((epochMs - whole) * 1e3);
  if (micros === 1e3) {
    whole += 1;
    micros = 0;
  }
  const date = new Date(whole);
  const nanos = (whole - Math.floor(whole / 1000) * 1000) * 1e6 + micros * 1e3;
  return utc
    ? {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth(),
        day: date.getUTCDate(),
        hour: date.getUTCHours(),
        minute: date.getUTCMinutes(),
        second: date.getUTCSeconds(),
        nanos,
        offset: 0,
      }
    : {
        year: date.getFullYear(),
        month: date.getMonth(),
        day: date.getDate(),
        hour: date.getHours(),
        minute: date.getMinutes(),
        second: date.getSeconds(),
        nanos,
        offset: -date.getTimezoneOffset(),
      };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function zone(offset: number, colon: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hours = pad(Math.floor(abs / 60));
  const minutes = pad(abs % 60);
  return colon ? `${sign}${hours}:${minutes}` : `${sign}${hours}${minutes}`;
}

const date = (p: Parts): string => `${p.year}-${pad(p.month + 1)}-${pad(p.day)}`;
const clock = (p: Parts): string => `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
// Go's Z07:00: "Z" for a zero offset, whatever the zone.
const rfcZone = (p: Parts): string => (p.offset === 0 ? 'Z' : zone(p.offset, true));

/** `02/Jan/2006:15:04:05 -0700`, the Common Log Format timestamp. */
export function clfTime(epochMs: number, utc: boolean): string {
  const p = partsOf(epochMs, utc);
  return `${pad(p.day)}/${MONTHS[p.month]}/${p.year}:${clock(p)} ${zone(p.offset, false)}`;
}

/** RFC 3339 with nanoseconds, trailing zeros dropped, as Go's json writes a time.Time. */
export function rfc3339Nano(epochMs: number, utc: boolean): string {
  const p = partsOf(epochMs, utc);
  const fraction = p.nanos === 0 ? '' : `.${pad(p.nanos, 9).replace(/0+$/, '')}`;
  return `${date(p)}T${clock(p)}${fraction}${rfcZone(p)}`;
}

/** RFC 3339 to the second in local time: logrus's default `time` field. */
export function rfc3339Local(epochMs: number): string {
  const p = partsOf(epochMs, false);
  return `${date(p)}T${clock(p)}${rfcZone(p)}`;
}
