import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, test } from 'node:test';
import {
  connectionListed,
  forwardedRequestHeaders,
  forwardedResponseHeaders,
} from '../../../src/dataplane/proxy/hop-by-hop.js';
import { pathPrefix, upstreamPath } from '../../../src/dataplane/proxy/request-target.js';

const pairs = (flat: string[]): string[][] => {
  const out: string[][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
};

describe('forwardedRequestHeaders', () => {
  const cases: {
    desc: string;
    headers: IncomingHttpHeaders;
    host?: string;
    websocket?: boolean;
    want: string[][];
  }[] = [
    {
      desc: 'drops the fixed hop-by-hop list',
      headers: {
        connection: 'keep-alive',
        'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive',
        'proxy-authorization': 'Basic x',
        trailer: 'x',
        'transfer-encoding': 'chunked',
        upgrade: 'h2c',
        accept: '*/*',
      },
      want: [['accept', '*/*']],
    },
    {
      desc: 'drops the headers Connection names, whatever their case',
      headers: { connection: 'close, X-Secret , x-other', 'x-secret': '1', 'x-other': '2', 'x-kept': '3' },
      want: [['x-kept', '3']],
    },
    {
      desc: 'keeps te: trailers only',
      headers: { te: 'gzip, Trailers' },
      want: [['te', 'trailers']],
    },
    {
      desc: 'drops te without trailers',
      headers: { te: 'gzip' },
      want: [],
    },
    {
      desc: 'replaces host and drops expect and HTTP/2 pseudo-headers',
      headers: { host: 'client', expect: '100-continue', ':authority': 'client', ':path': '/', 'x-a': 'b' },
      host: 'server:8080',
      want: [
        ['x-a', 'b'],
        ['host', 'server:8080'],
      ],
    },
    {
      desc: 'repeats multi-valued headers',
      headers: { 'x-list': ['a', 'b'] as unknown as string },
      want: [
        ['x-list', 'a'],
        ['x-list', 'b'],
      ],
    },
    {
      desc: 'spells WebSocket handshake headers as RFC 6455 does on upgrades',
      headers: { 'sec-websocket-key': 'k', 'sec-websocket-version': '13', 'x-a': 'b' },
      websocket: true,
      want: [
        ['Sec-WebSocket-Key', 'k'],
        ['Sec-WebSocket-Version', '13'],
        ['x-a', 'b'],
      ],
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      assert.deepEqual(pairs(forwardedRequestHeaders(c.headers, c.host, c.websocket ?? false)), c.want);
    });
  }
});

describe('forwardedResponseHeaders', () => {
  const cases: { desc: string; headers: IncomingHttpHeaders; want: Record<string, unknown> }[] = [
    {
      desc: 'drops hop-by-hop headers and those Connection names',
      headers: {
        connection: 'keep-alive, x-hop',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'proxy-authenticate': 'Basic',
        'x-hop': '1',
        'content-type': 'text/plain',
        'set-cookie': ['a=1', 'b=2'],
      },
      want: { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] },
    },
    {
      desc: 'keeps the trailer announcement, as Go re-announces it',
      headers: { trailer: 'grpc-status' },
      want: { trailer: 'grpc-status' },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => assert.deepEqual(forwardedResponseHeaders(c.headers), c.want));
  }
});

describe('connectionListed', () => {
  const cases = [
    { desc: 'nothing for the usual values', value: 'keep-alive', want: null },
    { desc: 'nothing for close', value: 'Close', want: null },
    { desc: 'extra names, lowercased', value: 'Upgrade, X-Foo', want: ['x-foo'] },
    { desc: 'nothing when absent', value: undefined, want: null },
  ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(connectionListed(c.value), c.want));
});

describe('upstreamPath', () => {
  const cases = [
    { desc: 'passes the path and query', url: '/a/b?x=1', prefix: '', want: '/a/b?x=1' },
    { desc: 'keeps encoded characters', url: '/a%2Fb?q=%20', prefix: '', want: '/a%2Fb?q=%20' },
    { desc: 'semicolons in the query become ampersands', url: '/p?a=1;b=2', prefix: '', want: '/p?a=1&b=2' },
    { desc: 'semicolons in the path stay', url: '/p;v=1', prefix: '', want: '/p;v=1' },
    { desc: 'prefixes the server path', url: '/a?x', prefix: '/base', want: '/base/a?x' },
    { desc: 'absolute-form keeps its path', url: 'http://host:80/a?b', prefix: '', want: '/a?b' },
    { desc: 'absolute-form without a path', url: 'http://host', prefix: '', want: '/' },
    { desc: 'absolute-form with only a query', url: 'http://host?x=1', prefix: '', want: '/?x=1' },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(upstreamPath(c.url, c.prefix), c.want));
});

describe('pathPrefix', () => {
  const cases = [
    { desc: 'a bare origin adds nothing', url: 'http://h:1', want: '' },
    { desc: 'a root path adds nothing', url: 'http://h:1/', want: '' },
    { desc: 'drops the trailing slash', url: 'http://h/api/', want: '/api' },
    { desc: 'keeps a path without one', url: 'http://h/api', want: '/api' },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(pathPrefix(new URL(c.url)), c.want));
});
