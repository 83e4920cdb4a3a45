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

/** Whole milliseconds and microseconds of a time, rounded to the microsecond. */
function split(epochMs: number): { whole: number; micros: number } {
  let whole = Math.floor(epochMs);
  let micros = Math.round((epochMs - whole) * 1e3);
  if (micros === 1e3) {
    whole += 1;
    micros = 0;
  }
  return { whole, micros };
}

function partsOf(epochMs: number, utc: boolean): Parts {
  const { whole, micros } = split(epochMs);
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

/**
 * RFC 3339 as Go's json writes a time.Time (`nano`: nanoseconds, trailing zeros dropped)
 * and as logrus stamps its `time` field (`seconds`), in UTC or in local time. Lines are
 * written as requests end, mostly within the second of the line before, so the date, clock
 * and zone of the last second are kept and only the fraction is new. An offset changes
 * only on a whole second, so the kept text is right for the whole of it.
 */
export class Rfc3339Writer {
  #second = Number.NaN;
  #head = '';
  #zone = '';

  constructor(readonly utc: boolean) {}

  nano(epochMs: number): string {
    // split(), without the object it returns.
    let whole = Math.floor(epochMs);
    let micros = Math.round((epochMs - whole) * 1e3);
    if (micros === 1e3) {
      whole += 1;
      micros = 0;
    }
    const second = this.#enter(whole);
    const nanos = (whole - second * 1000) * 1e6 + micros * 1e3;
    return nanos === 0 ? this.#head + this.#zone : `${this.#head}.${fraction(nanos)}${this.#zone}`;
  }

  seconds(epochMs: number): string {
    this.#enter(split(epochMs).whole);
    return this.#head + this.#zone;
  }

  #enter(wholeMs: number): number {
    const second = Math.floor(wholeMs / 1000);
    if (second !== this.#second) {
      const p = partsOf(second * 1000, this.utc);
      this.#second = second;
      this.#head = `${date(p)}T${clock(p)}`;
      this.#zone = rfcZone(p);
    }
    return second;
  }
}

// Nanoseconds within a second as nine digits, trailing zeros dropped.
function fraction(nanos: number): string {
  let digits = pad(nanos, 9);
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 0x30) end--;
  if (end < digits.length) digits = digits.slice(0, end);
  return digits;
}
