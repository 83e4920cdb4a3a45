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

// A time rounded to the microsecond, in two numbers and no object (the access log writes
// one per request): the whole millisecond, then the microseconds past it.

/** The millisecond a time falls in once rounded to the microsecond. */
function wholeMs(epochMs: number): number {
  const whole = Math.floor(epochMs);
  return Math.round((epochMs - whole) * 1e3) === 1e3 ? whole + 1 : whole;
}

/** The microseconds (0 to 999) a time is past `whole`, its wholeMs. */
function microsPast(epochMs: number, whole: number): number {
  return whole > epochMs ? 0 : Math.round((epochMs - whole) * 1e3);
}

function partsOf(epochMs: number, utc: boolean): Parts {
  const whole = wholeMs(epochMs);
  const date = new Date(whole);
  const nanos = (whole - Math.floor(whole / 1000) * 1000) * 1e6 + microsPast(epochMs, whole) * 1e3;
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

/** The most bytes `Rfc3339Writer.putNano` writes. */
export const NANO_MAX_BYTES = 48;

const DOT = 0x2e;
const ZERO = 0x30;

/**
 * RFC 3339 as Go's json writes a time.Time (`putNano`: nanoseconds, trailing zeros
 * dropped) and as logrus stamps its `time` field (`seconds`), in UTC or in local time. Lines are
 * written as requests end, mostly within the second of the line before, so the date, clock
 * and zone of the last second are kept (as text and as bytes) and only the fraction is new.
 * An offset changes only on a whole second, so the kept text is right for the whole of it.
 */
export class Rfc3339Writer {
  #second = Number.NaN;
  /** `seconds`' text for the kept second, the same string every time within it. */
  #seconds = '';
  #headBytes: Buffer = Buffer.alloc(0);
  #zoneBytes: Buffer = Buffer.alloc(0);
  /** The kept second is written with a zero offset, as UTC writes it. */
  #zoneIsZ = false;

  constructor(readonly utc: boolean) {}

  /** Whether the last time written was written as UTC writes it (offset zero, `Z`). */
  get wroteUtc(): boolean {
    return this.#zoneIsZ;
  }

  /** Writes the time to the nanosecond into `buf` from `offset`; returns the offset after it. */
  putNano(buf: Buffer, offset: number, epochMs: number): number {
    const whole = wholeMs(epochMs);
    const second = this.#enter(whole);
    const inSecond = microsInSecond(epochMs, whole, second);
    let end = offset;
    buf.set(this.#headBytes, end);
    end += this.#headBytes.length;
    if (inSecond !== 0) end = putFraction(buf, end, inSecond);
    buf.set(this.#zoneBytes, end);
    return end + this.#zoneBytes.length;
  }

  seconds(epochMs: number): string {
    this.#enter(wholeMs(epochMs));
    return this.#seconds;
  }

  #enter(wholeMs: number): number {
    const second = Math.floor(wholeMs / 1000);
    if (second !== this.#second) {
      const p = partsOf(second * 1000, this.utc);
      this.#second = second;
      const head = `${date(p)}T${clock(p)}`;
      const zone = rfcZone(p);
      this.#seconds = head + zone;
      this.#headBytes = Buffer.from(head, 'latin1');
      this.#zoneBytes = Buffer.from(zone, 'latin1');
      this.#zoneIsZ = p.offset === 0;
    }
    return second;
  }
}

/** Microseconds of a time within its second (`whole`, its wholeMs, falls in `second`). */
function microsInSecond(epochMs: number, whole: number, second: number): number {
  return (whole - second * 1000) * 1e3 + microsPast(epochMs, whole);
}

/**
 * Microseconds within a second (1 to 999,999) as Go writes the nanoseconds, `.` and nine
 * digits, trailing zeros dropped (the last three always are), into `buf` from `offset`;
 * returns the offset after it.
 */
function putFraction(buf: Buffer, offset: number, micros: number): number {
  buf[offset] = DOT;
  let end = offset + 7;
  let trailing = true;
  let rest = micros;
  for (let at = offset + 6; at > offset; at--) {
    const next = (rest / 10) | 0;
    const digit = rest - next * 10;
    rest = next;
    if (trailing && digit === 0) {
      end = at;
    } else {
      trailing = false;
      buf[at] = ZERO + digit;
    }
  }
  return end;
}
