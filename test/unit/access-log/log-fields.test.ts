import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AccessRecord } from '../../../src/dataplane/observability/access-log/exchange.js';
import { splitHostPort } from '../../../src/dataplane/observability/access-log/exchange.js';
import { FieldModes } from '../../../src/dataplane/observability/access-log/field-modes.js';
import { KeptFields, logFields } from '../../../src/dataplane/observability/access-log/log-fields.js';

const notFound: AccessRecord = {
  entryPoint: 'web',
  start: 1_000,
  end: 1_002,
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
  // What the capture kept, headers being dropped by default: none.
  requestHeaders: [],
  originHeaders: [],
  downstreamHeaders: [],
};
const redirected: AccessRecord = {
  ...notFound,
  routerName: 'web-to-websecure@internal',
  downstreamStatus: 308,
};
const served: AccessRecord = {
  ...notFound,
  routerName: 'app@file',
  serviceName: 'app@file',
  serviceUrl: 'http://10.0.0.2:8080/',
  serviceAddr: '10.0.0.2:8080',
  originStatus: 200,
  originContentSize: 5,
  originDurationNs: 1_500_000,
  downstreamStatus: 200,
  downstreamContentSize: 5,
  tlsVersion: '1.3',
  tlsCipher: 'TLS_AES_128_GCM_SHA256',
};

const keepAll = new FieldModes({
  defaultMode: 'keep',
  names: {},
  headers: { defaultMode: 'drop', names: {} },
});
const names = (record: AccessRecord, modes = keepAll) =>
  [...logFields(record, new KeptFields(modes)).keys()].sort();

const ALWAYS = [
  'ClientAddr',
  'ClientHost',
  'ClientPort',
  'ClientUsername',
  'DownstreamContentSize',
  'DownstreamStatus',
  'Duration',
  'Overhead',
  'RequestAddr',
  'RequestContentSize',
  'RequestCount',
  'RequestHost',
  'RequestMethod',
  'RequestPath',
  'RequestPort',
  'RequestProtocol',
  'RequestScheme',
  'RetryAttempts',
  'StartLocal',
  'StartUTC',
  'entryPointName',
];

describe('logFields', () => {
  test('a request no router took has no router, origin or service fields', () => {
    assert.deepEqual(names(notFound), [...ALWAYS].sort());
  });

  test('a routed request a middleware answered has zero origin fields, and no service', () => {
    const fields = logFields(redirected, new KeptFields(keepAll));
    assert.deepEqual(
      names(redirected),
      [...ALWAYS, 'OriginContentSize', 'OriginDuration', 'OriginStatus', 'RouterName'].sort(),
    );
    assert.equal(fields.get('OriginStatus'), 0);
    assert.equal(fields.get('Overhead'), 2_000_000);
  });

  test('a served request has every field; Overhead is what the origin did not take', () => {
    const fields = logFields(served, new KeptFields(keepAll));
    assert.deepEqual(
      names(served),
      [
        ...ALWAYS,
        'OriginContentSize',
        'OriginDuration',
        'OriginStatus',
        'RouterName',
        'ServiceAddr',
        'ServiceName',
        'ServiceURL',
        'TLSCipher',
        'TLSVersion',
      ].sort(),
    );
    assert.equal(fields.get('Overhead'), 500_000);
    assert.equal(fields.get('ServiceAddr'), '10.0.0.2:8080');
  });

  test('dropped fields are left out; the headers kept come with their prefixes', () => {
    const modes = new FieldModes({
      defaultMode: 'drop',
      names: { RequestPath: 'keep', DownstreamStatus: 'keep' },
      headers: { defaultMode: 'keep', names: {} },
    });
    const withHeaders: AccessRecord = {
      ...served,
      requestHeaders: [['User-Agent', 'curl/8']],
      originHeaders: [['Content-Type', 'text/plain']],
      downstreamHeaders: [['Content-Type', 'text/plain']],
    };
    assert.deepEqual(names(withHeaders, modes), [
      'DownstreamStatus',
      'RequestPath',
      'downstream_Content-Type',
      'origin_Content-Type',
      'request_User-Agent',
    ]);
  });

  const hostPorts = [
    ['app.test', ['app.test', '-']],
    ['app.test:8080', ['app.test', '8080']],
    ['[::1]:443', ['::1', '443']],
    ['[::1]', ['[::1]', '-']],
    ['::1', ['::1', '-']],
  ] as const;
  for (const [value, want] of hostPorts) {
    test(`Go splits ${value} into ${want.join(' and ')}`, () => assert.deepEqual(splitHostPort(value), want));
  }
});
