import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, test } from 'node:test';
import { ForwardedHeaders, forwardingFor } from '../../../src/dataplane/entrypoints/index.js';
import { RequestContext, type Handler } from '../../../src/dataplane/handler.js';

function context(
  headers: IncomingHttpHeaders,
  options: { clientIp?: string; tls?: boolean; authority?: string } = {},
) {
  const ctx = new RequestContext('web', options.tls ?? false, options.clientIp ?? '203.0.113.7', 0);
  ctx.headers = headers;
  ctx.authority = options.authority ?? 'app.test';
  return ctx;
}

const spoofed = (): IncomingHttpHeaders => ({
  'x-forwarded-for': '1.1.1.1',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'evil.test',
  'x-forwarded-port': '8443',
  'x-forwarded-server': 'evil',
  'x-real-ip': '1.1.1.1',
  x_forwarded_for: '2.2.2.2',
});

describe('ForwardedHeaders', () => {
  const cases = [
    {
      desc: 'untrusted peer: its X-Forwarded-* are replaced',
      config: { trustedIPs: [], insecure: false },
      clientIp: '203.0.113.7',
      want: {
        'x-real-ip': '203.0.113.7',
        'x-forwarded-proto': 'http',
        'x-forwarded-port': '80',
        'x-forwarded-host': 'app.test',
        'x-forwarded-server': 'proxy-1',
      },
    },
    {
      desc: 'trusted peer (CIDR): its X-Forwarded-* are kept',
      config: { trustedIPs: ['203.0.113.0/24'], insecure: false },
      clientIp: '203.0.113.7',
      want: {
        'x-forwarded-for': '1.1.1.1',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.test',
        'x-forwarded-port': '8443',
        'x-forwarded-server': 'proxy-1',
        'x-real-ip': '1.1.1.1',
        x_forwarded_for: '2.2.2.2',
      },
    },
    {
      desc: 'trusted peer (single IPv6 address)',
      config: { trustedIPs: ['2001:db8::1'], insecure: false },
      clientIp: '2001:db8::1',
      want: {
        'x-forwarded-for': '1.1.1.1',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.test',
        'x-forwarded-port': '8443',
        'x-forwarded-server': 'proxy-1',
        'x-real-ip': '1.1.1.1',
        x_forwarded_for: '2.2.2.2',
      },
    },
    {
      desc: 'peer outside the trusted ranges is not trusted',
      config: { trustedIPs: ['10.0.0.0/8'], insecure: false },
      clientIp: '203.0.113.7',
      want: {
        'x-real-ip': '203.0.113.7',
        'x-forwarded-proto': 'http',
        'x-forwarded-port': '80',
        'x-forwarded-host': 'app.test',
        'x-forwarded-server': 'proxy-1',
      },
    },
    {
      desc: 'insecure keeps everything',
      config: { trustedIPs: [], insecure: true },
      clientIp: '203.0.113.7',
      want: { ...spoofed(), 'x-forwarded-server': 'proxy-1' },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const ctx = context(spoofed(), { clientIp: c.clientIp });
      new ForwardedHeaders(c.config, 'proxy-1').apply(ctx);
      assert.deepEqual(ctx.headers, c.want);
    });
  }

  const filled = [
    {
      desc: 'TLS gives https and 443',
      tls: true,
      authority: 'app.test',
      headers: {},
      proto: 'https',
      port: '443',
    },
    {
      desc: 'the Host port wins',
      tls: true,
      authority: 'app.test:8443',
      headers: {},
      proto: 'https',
      port: '8443',
    },
    { desc: 'IPv6 Host port', tls: false, authority: '[::1]:8080', headers: {}, proto: 'http', port: '8080' },
    {
      desc: 'WebSocket upgrade over plain HTTP is ws',
      tls: false,
      authority: 'app.test',
      headers: { connection: 'keep-alive, Upgrade', upgrade: 'websocket' },
      proto: 'ws',
      port: '80',
    },
    {
      desc: 'WebSocket upgrade over TLS is wss',
      tls: true,
      authority: 'app.test',
      headers: { connection: 'Upgrade', upgrade: 'WebSocket' },
      proto: 'wss',
      port: '443',
    },
  ];
  for (const c of filled) {
    test(c.desc, () => {
      const ctx = context({ ...c.headers }, { tls: c.tls, authority: c.authority });
      new ForwardedHeaders({ trustedIPs: [], insecure: false }, 'proxy-1').apply(ctx);
      assert.equal(ctx.headers['x-forwarded-proto'], c.proto);
      assert.equal(ctx.headers['x-forwarded-port'], c.port);
      assert.equal(ctx.headers['x-forwarded-host'], c.authority);
    });
  }

  test('X-Real-Ip set by a trusted peer is kept, an empty one is filled in', () => {
    const trusted = new ForwardedHeaders({ trustedIPs: ['203.0.113.7'], insecure: false }, 'p');
    const kept = context({ 'x-real-ip': '198.51.100.1' });
    trusted.apply(kept);
    assert.equal(kept.headers['x-real-ip'], '198.51.100.1');
    const empty = context({ 'x-real-ip': '' });
    trusted.apply(empty);
    assert.equal(empty.headers['x-real-ip'], '203.0.113.7');
  });

  const connection: { desc: string; headers: Record<string, string>; want: Record<string, string> }[] = [
    {
      desc: 'Connection options are hop-by-hop: listed headers go, and so does Connection',
      headers: { connection: 'keep-alive, X-Secret', 'x-secret': '1', 'keep-alive': 'timeout=5' },
      want: {},
    },
    {
      desc: 'Connection cannot remove the X-Forwarded headers',
      headers: { connection: 'X-Forwarded-Host' },
      want: { 'x-forwarded-host': 'app.test' },
    },
    {
      desc: 'an upgrade keeps Upgrade and Connection: Upgrade',
      headers: { connection: 'Upgrade, x-other', upgrade: 'websocket', 'x-other': '1' },
      want: { connection: 'Upgrade', upgrade: 'websocket' },
    },
  ];
  for (const c of connection) {
    test(c.desc, () => {
      const ctx = context({ ...c.headers });
      new ForwardedHeaders({ trustedIPs: [], insecure: false }, 'p').apply(ctx);
      const {
        'x-real-ip': _ip,
        'x-forwarded-proto': _proto,
        'x-forwarded-port': _port,
        'x-forwarded-server': _server,
        ...rest
      } = ctx.headers;
      const want: Record<string, string> = { 'x-forwarded-host': 'app.test', ...c.want };
      assert.deepEqual(rest, want);
    });
  }
});

describe('forwardingFor', () => {
  const cases = [
    { desc: 'no prior list', prior: undefined, want: '203.0.113.7' },
    { desc: 'appends to a kept list', prior: '1.1.1.1, 2.2.2.2', want: '1.1.1.1, 2.2.2.2, 203.0.113.7' },
    { desc: 'removed on purpose: stays absent', prior: undefined, omit: true, want: undefined },
    {
      desc: 'set again after its removal: appended to',
      prior: '1.1.1.1',
      omit: true,
      want: '1.1.1.1, 203.0.113.7',
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const ctx = context(c.prior === undefined ? {} : { 'x-forwarded-for': c.prior });
      ctx.omitForwardedFor = c.omit === true;
      let seen: string | string[] | undefined;
      const service: Handler = (_req, _res, inner) => {
        seen = inner.headers['x-forwarded-for'];
      };
      forwardingFor(service)({} as never, {} as never, ctx);
      assert.equal(seen, c.want);
    });
  }
});
