import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AccessRecord } from '../../../src/dataplane/observability/access-log/exchange.js';
import { FieldModes } from '../../../src/dataplane/observability/access-log/field-modes.js';
import { commonLine, genericClfLine } from '../../../src/dataplane/observability/access-log/formats.js';
import { NANO_MAX_BYTES, Rfc3339Writer } from '../../../src/dataplane/observability/access-log/go-time.js';
import { jsonLines } from '../../../src/dataplane/observability/access-log/json-line.js';
import {
  KeptFields,
  LogTime,
  logFields,
} from '../../../src/dataplane/observability/access-log/log-fields.js';
import type { LogValue } from '../../../src/dataplane/observability/access-log/log-fields.js';

const NOV_10 = Date.UTC(2009, 10, 10, 23, 0, 0);

// Traefik's own formatter tests (logger_formatters_test.go), with nil values left out.
const base: Record<string, LogValue> = {
  StartUTC: new LogTime(NOV_10, true),
  Duration: 123_000_000_000,
  ClientHost: '10.0.0.1',
  ClientUsername: 'Client',
  RequestMethod: 'GET',
  RequestPath: '/foo',
  RequestProtocol: 'http',
};
const allData: Record<string, LogValue> = {
  ...base,
  DownstreamStatus: 123,
  DownstreamContentSize: 132,
  request_Referer: 'referer',
  'request_User-Agent': 'agent',
  RouterName: 'foo',
  ServiceURL: 'http://10.0.0.2/toto',
};
const fields = (record: Record<string, LogValue>) => new Map(Object.entries(record));

const keepAll = new FieldModes({
  defaultMode: 'keep',
  names: {},
  headers: { defaultMode: 'drop', names: {} },
});

/** The json line of a record, written as the access log writes it: into a buffer. */
const compileJsonLine =
  (kept: KeptFields) =>
  (r: AccessRecord): string => {
    const encoder = jsonLines(kept);
    const buf = Buffer.alloc(encoder.maxBytes(r));
    return buf.toString('utf8', 0, encoder.encode(r, buf, 0));
  };

/** A request no router took, with `changes`. */
const record = (changes: Partial<AccessRecord>): AccessRecord => ({
  entryPoint: 'web',
  start: NOV_10,
  end: NOV_10 + 2,
  durationNs: 2_000_000,
  requestCount: 3,
  clientAddr: '127.0.0.1:5000',
  clientHost: '127.0.0.1',
  clientPort: '5000',
  clientUsername: '-',
  requestAddr: 'app.test',
  requestHost: 'app.test',
  requestPort: '-',
  requestMethod: 'GET',
  requestPath: '/nope',
  requestProtocol: 'HTTP/1.1',
  requestScheme: 'http',
  requestContentSize: 0,
  tlsVersion: '',
  tlsCipher: '',
  routerName: '',
  serviceName: '',
  serviceUrl: '',
  serviceAddr: '',
  originStatus: 0,
  originContentSize: 0,
  originDurationNs: 0,
  downstreamStatus: 404,
  downstreamContentSize: 19,
  retryAttempts: 0,
  requestHeaders: [],
  originHeaders: [],
  downstreamHeaders: [],
  ...changes,
});

describe('line formats', () => {
  let saved: string | undefined;
  before(() => {
    saved = process.env.TZ;
    process.env.TZ = 'Etc/GMT+9';
  });
  after(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  const commonCases = [
    {
      desc: 'DownstreamStatus and DownstreamContentSize missing, empty strings, RequestCount 0',
      fields: {
        ...base,
        request_Referer: '',
        'request_User-Agent': '',
        RequestCount: 0,
        RouterName: '',
        ServiceURL: '',
      },
      want: '10.0.0.1 - Client [10/Nov/2009:23:00:00 +0000] "GET /foo http" - - "-" "-" 0 "-" "-" 123000ms\n',
    },
    {
      desc: 'all data',
      fields: allData,
      want: '10.0.0.1 - Client [10/Nov/2009:23:00:00 +0000] "GET /foo http" 123 132 "referer" "agent" - "foo" "http://10.0.0.2/toto" 123000ms\n',
    },
    {
      desc: 'all data with local time (StartUTC dropped)',
      fields: { ...allData, StartUTC: undefined, StartLocal: new LogTime(NOV_10, false) },
      want: '10.0.0.1 - Client [10/Nov/2009:14:00:00 -0900] "GET /foo http" 123 132 "referer" "agent" - "foo" "http://10.0.0.2/toto" 123000ms\n',
    },
    {
      desc: 'no time and no duration',
      fields: { ...allData, StartUTC: undefined, Duration: undefined, RequestCount: 7 },
      want: '10.0.0.1 - Client [-] "GET /foo http" 123 132 "referer" "agent" 7 "foo" "http://10.0.0.2/toto" 0ms\n',
    },
    {
      desc: 'milliseconds are truncated',
      fields: { ...allData, Duration: 1_999_999 },
      want: '10.0.0.1 - Client [10/Nov/2009:23:00:00 +0000] "GET /foo http" 123 132 "referer" "agent" - "foo" "http://10.0.0.2/toto" 1ms\n',
    },
  ];
  const defined = (record: Record<string, LogValue | undefined>) =>
    fields(
      Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<
        string,
        LogValue
      >,
    );
  for (const c of commonCases)
    test(`common: ${c.desc}`, () => assert.equal(commonLine(defined(c.fields)), c.want));

  const genericCases = [
    {
      desc: 'DownstreamStatus and DownstreamContentSize missing',
      fields: {
        ...base,
        request_Referer: '',
        'request_User-Agent': '',
        RequestCount: 0,
        RouterName: '',
        ServiceURL: '',
      },
      want: '10.0.0.1 - Client [10/Nov/2009:23:00:00 +0000] "GET /foo http" - - "-" "-"\n',
    },
    {
      desc: 'all data',
      fields: allData,
      want: '10.0.0.1 - Client [10/Nov/2009:23:00:00 +0000] "GET /foo http" 123 132 "referer" "agent"\n',
    },
  ];
  for (const c of genericCases)
    test(`genericCLF: ${c.desc}`, () => assert.equal(genericClfLine(defined(c.fields)), c.want));

  const jsonCases: {
    desc: string;
    record: Partial<AccessRecord>;
    modes?: FieldModes;
    want: string;
  }[] = [
    {
      desc: 'keys sorted, times in RFC 3339, numbers as numbers, level/msg/time added',
      record: {
        start: NOV_10 + 1.5,
        end: NOV_10 + 10,
        durationNs: 2_500_000,
        downstreamStatus: 200,
        routerName: 'app@file',
        requestHeaders: [['User-Agent', 'curl/8']],
      },
      modes: new FieldModes({
        defaultMode: 'drop',
        names: {
          StartUTC: 'keep',
          StartLocal: 'keep',
          Duration: 'keep',
          DownstreamStatus: 'keep',
          RouterName: 'keep',
        },
        headers: { defaultMode: 'drop', names: { 'User-Agent': 'keep' } },
      }),
      want:
        '{"DownstreamStatus":200,"Duration":2500000,"RouterName":"app@file",' +
        '"StartLocal":"2009-11-10T14:00:00.0015-09:00","StartUTC":"2009-11-10T23:00:00.0015Z",' +
        '"level":"info","msg":"","request_User-Agent":"curl/8","time":"2009-11-10T14:00:00-09:00"}\n',
    },
    {
      desc: 'strings escaped as Go escapes them',
      record: { requestPath: '/a?b=<c>&d="e"\u2028' },
      modes: new FieldModes({
        defaultMode: 'drop',
        names: { RequestPath: 'keep' },
        headers: { defaultMode: 'drop', names: {} },
      }),
      want: '{"RequestPath":"/a?b=\\u003cc\\u003e\\u0026d=\\"e\\"\\u2028","level":"info","msg":"","time":"2009-11-10T14:00:00-09:00"}\n',
    },
  ];
  for (const c of jsonCases) {
    test(`json: ${c.desc}`, () => {
      const line = compileJsonLine(new KeptFields(c.modes ?? keepAll))(record(c.record));
      assert.equal(line, c.want);
      assert.ok(JSON.parse(line));
    });
  }

  // The line as a plain reading of Traefik's format gives it: every field in a map, keys
  // sorted, each name and value through JSON.stringify, then Go's extra escapes.
  const reference = (r: AccessRecord, kept: KeptFields): string => {
    const entries: [string, LogValue][] = [
      ...logFields(r, kept),
      ['level', 'info'],
      ['msg', ''],
      ['time', new Rfc3339Writer(false).seconds(r.end)],
    ];
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const body = entries
      .map(([name, value]) => {
        const text = value instanceof LogTime ? nanoText(value.epochMs, value.utc) : value;
        return `${JSON.stringify(name)}:${JSON.stringify(text)}`;
      })
      .join(',')
      .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return `{${body}}\n`;
  };
  const everyHeader = new FieldModes({
    defaultMode: 'keep',
    names: {},
    headers: { defaultMode: 'keep', names: {} },
  });
  const sameAsReference = [
    { desc: 'a request no router took', record: {}, modes: keepAll },
    {
      desc: 'a served request over TLS, headers in every group, out of order',
      record: {
        routerName: 'app@docker',
        serviceName: 'app@docker',
        serviceUrl: 'http://10.0.0.2:80',
        serviceAddr: '10.0.0.2:80',
        originStatus: 200,
        originContentSize: 12,
        originDurationNs: 1_000_000,
        tlsVersion: '1.3',
        tlsCipher: 'TLS_AES_128_GCM_SHA256',
        requestHeaders: [
          ['X-Zeta', 'z'],
          ['Accept', '*/*'],
          ['X-Odd', 'a<b>&"c"\\\u0001'],
        ],
        originHeaders: [
          ['Content-Type', 'text/plain'],
          ['Cache-Control', 'no-store'],
        ],
        downstreamHeaders: [
          ['Content-Type', 'text/plain'],
          ['Cache-Control', 'no-store'],
        ],
      },
      modes: everyHeader,
    },
    {
      desc: 'a start in another second than the end, a username with a quote',
      record: { start: NOV_10 + 999.999_6, end: NOV_10 + 2_000.25, clientUsername: 'o"brien' },
      modes: keepAll,
    },
  ] as const;
  for (const c of sameAsReference) {
    test(`json: ${c.desc}: the same bytes as the plain reading`, () => {
      const kept = new KeptFields(c.modes);
      const r = record(c.record as Partial<AccessRecord>);
      assert.equal(compileJsonLine(kept)(r), reference(r, kept));
    });
  }

  test('json: dropping any one field, or keeping only it, gives the same bytes as the plain reading', () => {
    const r = record(sameAsReference[1].record as Partial<AccessRecord>);
    const names = [...logFields(r, new KeptFields(everyHeader)).keys()].filter((name) => !name.includes('_'));
    assert.equal(names.length, 30, names.join(' '));
    for (const name of names) {
      for (const modes of [
        new FieldModes({
          defaultMode: 'keep',
          names: { [name]: 'drop' },
          headers: { defaultMode: 'keep', names: {} },
        }),
        new FieldModes({
          defaultMode: 'drop',
          names: { [name]: 'keep' },
          headers: { defaultMode: 'drop', names: {} },
        }),
      ]) {
        const kept = new KeptFields(modes);
        assert.equal(compileJsonLine(kept)(r), reference(r, kept), name);
      }
    }
  });

  test('json: a line written after others in the same buffer leaves them as they were', () => {
    const encoder = jsonLines(new KeptFields(keepAll));
    const first = record({ requestPath: '/first' });
    const second = record({ requestPath: '/second' });
    const buf = Buffer.alloc(8192);
    // As the writer calls it: maxBytes, then encode, for each line.
    let end = 0;
    for (const r of [first, second]) {
      assert.ok(encoder.maxBytes(r) <= buf.length - end);
      end = encoder.encode(r, buf, end);
    }
    assert.equal(
      buf.toString('utf8', 0, end),
      compileJsonLine(new KeptFields(keepAll))(first) + compileJsonLine(new KeptFields(keepAll))(second),
    );
  });

  test('json: maxBytes holds the line whatever its values need escaping or encoding', () => {
    const nasty = '<>&"\\\u0001\u2028é😀\ud800'.repeat(50);
    const kept = new KeptFields(everyHeader);
    const r = record({
      ...(sameAsReference[1].record as Partial<AccessRecord>),
      requestPath: nasty,
      clientUsername: nasty,
      clientHost: nasty,
      routerName: nasty,
      requestHeaders: [[`X-${'a'.repeat(20)}`, nasty]],
      downstreamHeaders: [['X-Odd', nasty]],
      originHeaders: [['X-Odd', nasty]],
      durationNs: -1.5e300,
      requestContentSize: Number.NaN,
    });
    const encoder = jsonLines(kept);
    const most = encoder.maxBytes(r);
    const buf = Buffer.alloc(most + 64, 0xff);
    const end = encoder.encode(r, buf, 0);
    assert.ok(end <= most, `${end} > ${most}`);
    assert.equal(buf.toString('utf8', 0, end), reference(r, kept));
  });

  test('json: one writer over many seconds and zones of time keeps each line right', () => {
    const kept = new KeptFields(keepAll);
    // Out of order, back and forth across seconds, as requests end.
    const records = [NOV_10 + 10, NOV_10 + 1_010, NOV_10 + 990, NOV_10 + 86_400_000, NOV_10 + 5].map(
      (start) => record({ start, end: start + 3 }),
    );
    const lines = writeAll(kept, records);
    records.forEach((r, i) => assert.equal(lines[i], reference(r, kept)));
  });

  // Requests one after another as a busy entrypoint ends them: mostly what the one before
  // had, then one value or another changes (a writer keeps what repeats).
  const served: Partial<AccessRecord> = sameAsReference[1].record as Partial<AccessRecord>;
  const bare: Partial<AccessRecord> = { requestHeaders: [], originHeaders: [], downstreamHeaders: [] };
  const sequence: Partial<AccessRecord>[] = [
    {},
    {},
    { ...served, ...bare, tlsVersion: '', tlsCipher: '' },
    { ...served, ...bare, tlsVersion: '', tlsCipher: '' },
    { ...served, ...bare, tlsVersion: '', tlsCipher: '', requestPath: '/other?q=<1>' },
    { ...served, ...bare, routerName: 'b@file', requestHeaders: [['Accept', '*/*']] },
    { ...served, serviceUrl: '', serviceName: '', serviceAddr: '', originStatus: 0 },
    { ...served, requestScheme: 'https' },
    { ...served, requestScheme: 'https' },
    { ...served, requestAddr: '', requestHost: '', requestPort: '-' },
    { ...served, clientUsername: 'o"brien', downstreamStatus: 500, originStatus: 500 },
    {
      ...served,
      retryAttempts: 2,
      requestContentSize: 12,
      requestMethod: 'POST',
      requestProtocol: 'HTTP/2.0',
    },
    { ...served, entryPoint: 'websecure', clientHost: '10.9.8.7, 10.0.0.1', clientPort: '' },
    { ...served, clientAddr: '[::1]:5000', clientHost: '::1', durationNs: 3_000_000_000 },
    { ...served, start: NOV_10 + 1_000.5, end: NOV_10 + 1_003 },
    { ...served, start: NOV_10 + 999.999_6, end: NOV_10 + 2_000 },
    {},
  ];
  const sequenceModes: [string, FieldModes][] = [
    ['every field', keepAll],
    ['every field and header', everyHeader],
    ...['ClientAddr', 'ClientHost', 'ClientPort', 'Duration', 'RequestPath', 'StartLocal', 'StartUTC'].map(
      (name): [string, FieldModes] => [
        `all but ${name}`,
        new FieldModes({
          defaultMode: 'keep',
          names: { [name]: 'drop' },
          headers: { defaultMode: 'keep', names: {} },
        }),
      ],
    ),
    [
      'only a few',
      new FieldModes({
        defaultMode: 'drop',
        names: { ClientPort: 'keep', RequestPath: 'keep', StartUTC: 'keep', ServiceURL: 'keep' },
        headers: { defaultMode: 'drop', names: { Accept: 'keep' } },
      }),
    ],
  ];
  for (const [desc, modes] of sequenceModes) {
    test(`json: lines one after another, ${desc}: each the same bytes as the plain reading`, () => {
      const kept = new KeptFields(modes);
      const records = sequence.map((changes) => record(changes));
      const lines = writeAll(kept, records);
      records.forEach((r, i) => assert.equal(lines[i], reference(r, kept), `line ${i}`));
    });
  }

  describe('where local time is UTC', () => {
    let zone: string | undefined;
    before(() => {
      zone = process.env.TZ;
      process.env.TZ = 'UTC';
    });
    after(() => {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    });
    test('json: StartLocal and StartUTC are the same text, line after line', () => {
      const kept = new KeptFields(keepAll);
      const records = [NOV_10 + 1.5, NOV_10 + 2.25, NOV_10 + 1_000, NOV_10 + 1_999.999_9].map((start) =>
        record({ start, end: start + 1 }),
      );
      const lines = writeAll(kept, records);
      records.forEach((r, i) => {
        assert.equal(lines[i], reference(r, kept));
        const { StartLocal, StartUTC } = JSON.parse(lines[i]!) as Record<string, string>;
        assert.equal(StartLocal, StartUTC);
      });
      assert.match(
        lines[0]!,
        /"StartLocal":"2009-11-10T23:00:00\.0015Z","StartUTC":"2009-11-10T23:00:00\.0015Z"/,
      );
    });
  });
});

/** A time as Go's json writes it, by a writer of its own. */
function nanoText(epochMs: number, utc: boolean): string {
  const buf = Buffer.alloc(NANO_MAX_BYTES);
  return buf.toString('latin1', 0, new Rfc3339Writer(utc).putNano(buf, 0, epochMs));
}

/** Lines written one after another by one encoder into one buffer, as the writer does. */
function writeAll(kept: KeptFields, records: readonly AccessRecord[]): string[] {
  const encoder = jsonLines(kept);
  const buf = Buffer.alloc(1 << 20);
  let end = 0;
  return records.map((r) => {
    const start = end;
    const most = encoder.maxBytes(r);
    end = encoder.encode(r, buf, start);
    assert.ok(end - start <= most, `${end - start} > ${most}`);
    return buf.toString('utf8', start, end);
  });
}
