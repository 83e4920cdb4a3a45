import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveServersTransport, upstreamTarget } from '../../../src/dataplane/proxy/index.js';
import type { ServersTransport } from '../../../src/config/dynamic/index.js';

const noFiles = (path: string): string => {
  throw new Error(`ENOENT: no such file, open '${path}'`);
};

const resolved = (config: ServersTransport | undefined) => {
  const result = resolveServersTransport(config, noFiles);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.value;
};

describe('resolveServersTransport', () => {
  test("Traefik's defaults: dial 30s, idle 90s, no header timeout, keep-alive, verify TLS", () => {
    const t = resolved(undefined);
    assert.equal(t.dialTimeout, 30_000);
    assert.equal(t.idleConnTimeout, 90_000);
    assert.equal(t.responseHeaderTimeout, 0);
    assert.equal(t.keepAlive, true);
    assert.equal(t.tls.rejectUnauthorized, true);
    assert.equal(t.tls.serverName, undefined);
  });

  test('forwardingTimeouts override only what they set', () => {
    const t = resolved({ forwardingTimeouts: { responseHeaderTimeout: 1_500 } });
    assert.equal(t.responseHeaderTimeout, 1_500);
    assert.equal(t.dialTimeout, 30_000);
    assert.equal(t.idleConnTimeout, 90_000);
  });

  test('a negative maxIdleConnsPerHost turns keep-alive off', () => {
    assert.equal(resolved({ maxIdleConnsPerHost: -1 }).keepAlive, false);
    assert.equal(resolved({ maxIdleConnsPerHost: 5 }).keepAlive, true);
  });

  test('equal settings give equal keys, different settings different ones', () => {
    assert.equal(resolved({}).key, resolved(undefined).key);
    assert.equal(resolved({ insecureSkipVerify: true }).key, resolved({ insecureSkipVerify: true }).key);
    assert.notEqual(resolved({ insecureSkipVerify: true }).key, resolved({}).key);
  });

  const errorCases = [
    {
      desc: 'an unreadable root CA file',
      config: { rootCAs: ['/nowhere/ca.pem'] },
      want: { code: 'TLS_INVALID', path: 'rootCAs[0]' },
    },
    {
      desc: 'an unreadable client key file',
      config: { certificates: [{ certFile: '-----BEGIN CERTIFICATE-----', keyFile: '/nowhere/key.pem' }] },
      want: { code: 'TLS_INVALID', path: 'certificates[0].keyFile' },
    },
    {
      desc: 'PEM that does not parse',
      config: { rootCAs: ['-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----'] },
      want: { code: 'TLS_INVALID', path: 'rootCAs[0]' },
    },
    { desc: 'SPIFFE', config: { spiffe: {} }, want: { code: 'CONFIG_INVALID', path: 'spiffe' } },
  ];
  for (const c of errorCases) {
    test(`reports ${c.desc}`, () => {
      const result = resolveServersTransport(c.config, noFiles);
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.deepEqual(
        result.errors.map((e) => ({ code: e.code, path: e.path })),
        [c.want],
      );
    });
  }
});

describe('upstreamTarget', () => {
  const t = resolved(undefined);
  const cases = [
    {
      desc: 'a host name is the TLS server name',
      url: 'https://api.internal:8443',
      want: { origin: 'https://api.internal:8443', servername: 'api.internal', h2c: false },
    },
    {
      desc: 'an IP address is not',
      url: 'https://10.0.0.7',
      want: { origin: 'https://10.0.0.7', servername: undefined, h2c: false },
    },
    {
      desc: 'an IPv6 address is not either',
      url: 'https://[::1]:8443',
      want: { origin: 'https://[::1]:8443', servername: undefined, h2c: false },
    },
    {
      desc: 'h2c is spoken to as http',
      url: 'h2c://grpc:50051',
      want: { origin: 'http://grpc:50051', servername: 'grpc', h2c: true },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const target = upstreamTarget(new URL(c.url), t);
      assert.deepEqual({ origin: target.origin, servername: target.servername, h2c: target.h2c }, c.want);
    });
  }

  test('the transport serverName wins', () => {
    const target = upstreamTarget(new URL('https://10.0.0.7'), resolved({ serverName: 'svc.example' }));
    assert.equal(target.servername, 'svc.example');
  });

  test('pool keys differ by origin, protocol and transport settings', () => {
    const keys = new Set(
      [
        upstreamTarget(new URL('http://a:80'), t),
        upstreamTarget(new URL('http://a:81'), t),
        upstreamTarget(new URL('h2c://a:80'), t),
        upstreamTarget(new URL('http://a:80'), resolved({ maxIdleConnsPerHost: -1 })),
      ].map((target) => target.poolKey),
    );
    assert.equal(keys.size, 4);
    assert.equal(
      upstreamTarget(new URL('http://a:80/x'), t).poolKey,
      upstreamTarget(new URL('http://a:80/y'), t).poolKey,
    );
  });
});
