import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  commonLine,
  genericClfLine,
  jsonLine,
} from '../../../src/dataplane/observability/access-log/formats.js';
import { LogTime } from '../../../src/dataplane/observability/access-log/log-fields.js';
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

  test('json: keys sorted, times in RFC 3339, numbers as numbers, level/msg/time added', () => {
    const line = jsonLine(
      fields({
        StartUTC: new LogTime(NOV_10 + 1.5, true),
        StartLocal: new LogTime(NOV_10 + 1.5, false),
        Duration: 2_500_000,
        DownstreamStatus: 200,
        RouterName: 'app@file',
        'request_User-Agent': 'curl/8',
      }),
      NOV_10 + 10,
    );
    assert.ok(line.endsWith('}\n'));
    assert.equal(
      line,
      '{"DownstreamStatus":200,"Duration":2500000,"RouterName":"app@file",' +
        '"StartLocal":"2009-11-10T14:00:00.0015-09:00","StartUTC":"2009-11-10T23:00:00.0015Z",' +
        '"level":"info","msg":"","request_User-Agent":"curl/8","time":"2009-11-10T14:00:00-09:00"}\n',
    );
  });

  test('json: strings escaped as Go escapes them', () => {
    const line = jsonLine(fields({ RequestPath: '/a?b=<c>&d="e"\u2028' }), NOV_10);
    assert.ok(line.includes('"RequestPath":"/a?b=\\u003cc\\u003e\\u0026d=\\"e\\"\\u2028"'), line);
    assert.equal((JSON.parse(line) as { RequestPath: string }).RequestPath, '/a?b=<c>&d="e"\u2028');
  });
});
