import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  grpcCode,
  hasListItem,
  labelsOfKey,
  methodIndex,
  METHODS,
  protocolIndex,
  PROTOCOLS,
  seriesKey,
} from '../../../src/dataplane/observability/metrics/request-labels.js';

describe('request labels', () => {
  const protocols: { desc: string; headers: Record<string, string>; want: (typeof PROTOCOLS)[number] }[] = [
    { desc: 'a plain request is http', headers: { accept: '*/*' }, want: 'http' },
    {
      desc: 'an upgrade to websocket',
      headers: { connection: 'Upgrade', upgrade: 'websocket' },
      want: 'websocket',
    },
    {
      desc: 'upgrade among other Connection tokens, any case',
      headers: { connection: 'keep-alive, UPGRADE', upgrade: 'WebSocket' },
      want: 'websocket',
    },
    {
      desc: 'an Upgrade header without Connection: upgrade',
      headers: { upgrade: 'websocket' },
      want: 'http',
    },
    {
      desc: 'an upgrade to something else',
      headers: { connection: 'upgrade', upgrade: 'h2c' },
      want: 'http',
    },
    { desc: 'server-sent events', headers: { accept: 'text/html, text/event-stream' }, want: 'sse' },
    {
      desc: 'event-stream with parameters is not an exact item',
      headers: { accept: 'text/event-stream;q=0.9' },
      want: 'http',
    },
    { desc: 'gRPC', headers: { 'content-type': 'application/grpc+proto' }, want: 'grpc' },
    { desc: 'gRPC-Web', headers: { 'content-type': 'application/grpc-web-text' }, want: 'grpc-web' },
    {
      desc: 'websocket wins over a gRPC content type',
      headers: { connection: 'upgrade', upgrade: 'websocket', 'content-type': 'application/grpc' },
      want: 'websocket',
    },
  ];
  for (const c of protocols) {
    test(`protocol: ${c.desc}`, () => assert.equal(PROTOCOLS[protocolIndex(c.headers)], c.want));
  }

  const methods: { desc: string; method: string; want: string }[] = [
    { desc: 'GET is kept', method: 'GET', want: 'GET' },
    { desc: 'PATCH is kept', method: 'PATCH', want: 'PATCH' },
    { desc: 'HTTP/2 PRI is kept', method: 'PRI', want: 'PRI' },
    { desc: 'WebDAV methods are EXTENSION_METHOD', method: 'PROPFIND', want: 'EXTENSION_METHOD' },
    { desc: 'lower case is not a known method', method: 'get', want: 'EXTENSION_METHOD' },
  ];
  for (const c of methods) {
    test(`method: ${c.desc}`, () => assert.equal(METHODS[methodIndex(c.method)], c.want));
  }

  const lists: { desc: string; value: string | undefined; item: string; want: boolean }[] = [
    { desc: 'an exact item', value: 'upgrade', item: 'upgrade', want: true },
    { desc: 'spaces and tabs around items', value: ' a ,\tupgrade\t', item: 'upgrade', want: true },
    { desc: 'a prefix is not the item', value: 'upgraded', item: 'upgrade', want: false },
    { desc: 'an empty value', value: '', item: 'upgrade', want: false },
    { desc: 'no value', value: undefined, item: 'upgrade', want: false },
  ];
  for (const c of lists) {
    test(`list item: ${c.desc}`, () => assert.equal(hasListItem(c.value, c.item), c.want));
  }

  const grpc: { desc: string; status: string | number | undefined; want: number }[] = [
    { desc: 'OK', status: '0', want: 0 },
    { desc: 'the largest code', status: '16', want: 16 },
    { desc: 'a number from a header set as one', status: 14, want: 14 },
    { desc: 'no status is Unknown', status: undefined, want: 2 },
    { desc: 'out of range is Unknown', status: '17', want: 2 },
    { desc: 'text is Unknown', status: 'OK', want: 2 },
  ];
  for (const c of grpc) test(`grpc code: ${c.desc}`, () => assert.equal(grpcCode(c.status), c.want));

  test('a series key gives back its code, method and protocol', () => {
    for (const code of [0, 101, 200, 499, 999]) {
      METHODS.forEach((method, m) => {
        PROTOCOLS.forEach((protocol, p) => {
          assert.deepEqual(labelsOfKey(seriesKey(code, m, p)), { code: String(code), method, protocol });
        });
      });
    }
  });
});
