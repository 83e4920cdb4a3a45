import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  clfTime,
  NANO_MAX_BYTES,
  Rfc3339Writer,
} from '../../../src/dataplane/observability/access-log/go-time.js';

// A fresh writer each time, so that no second is already known.
const rfc3339Nano = (epochMs: number, utc: boolean) => {
  const buf = Buffer.alloc(NANO_MAX_BYTES);
  return buf.toString('latin1', 0, new Rfc3339Writer(utc).putNano(buf, 0, epochMs));
};
const rfc3339Local = (epochMs: number) => new Rfc3339Writer(false).seconds(epochMs);

// 2009-11-10T23:00:00Z, the date of Traefik's formatter tests.
const NOV_10 = Date.UTC(2009, 10, 10, 23, 0, 0);

describe('Go time layouts', () => {
  // Etc/GMT+9 is UTC-9 (POSIX signs are inverted), as in Traefik's tests.
  let saved: string | undefined;
  before(() => {
    saved = process.env.TZ;
    process.env.TZ = 'Etc/GMT+9';
  });
  after(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  const cases = [
    { desc: 'CLF in UTC', got: () => clfTime(NOV_10, true), want: '10/Nov/2009:23:00:00 +0000' },
    { desc: 'CLF in local time', got: () => clfTime(NOV_10, false), want: '10/Nov/2009:14:00:00 -0900' },
    {
      desc: 'RFC 3339 nano, whole second',
      got: () => rfc3339Nano(NOV_10, true),
      want: '2009-11-10T23:00:00Z',
    },
    {
      desc: 'RFC 3339 nano drops trailing zeros',
      got: () => rfc3339Nano(NOV_10 + 123.5, true),
      want: '2009-11-10T23:00:00.1235Z',
    },
    {
      desc: 'RFC 3339 nano keeps microseconds',
      got: () => rfc3339Nano(NOV_10 + 7.25, true),
      want: '2009-11-10T23:00:00.00725Z',
    },
    {
      // An epoch in milliseconds has about a quarter of a microsecond of precision left.
      desc: 'below a microsecond is noise, rounded away',
      got: () => rfc3339Nano(NOV_10 + 7.000_25, true),
      want: '2009-11-10T23:00:00.007Z',
    },
    {
      desc: 'RFC 3339 nano in local time has the offset',
      got: () => rfc3339Nano(NOV_10 + 500, false),
      want: '2009-11-10T14:00:00.5-09:00',
    },
    {
      desc: 'logrus time: local, to the second',
      got: () => rfc3339Local(NOV_10 + 999),
      want: '2009-11-10T14:00:00-09:00',
    },
    {
      desc: 'a fraction that rounds up carries into the next millisecond',
      got: () => rfc3339Nano(NOV_10 + 0.999_9, true),
      want: '2009-11-10T23:00:00.001Z',
    },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(c.got(), c.want));
});
