import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeDynamicConfig } from '../../../src/config/dynamic/index.js';
import { buildServices, UpstreamPools } from '../../../src/dataplane/services/index.js';

// Building creates pools but opens no connection, and none of these configurations has
// a health check, so no socket or timer is involved.
async function built(http: Record<string, unknown>) {
  const { config, errors: decodeErrors } = decodeDynamicConfig({ http });
  assert.deepEqual(decodeErrors, []);
  const pools = new UpstreamPools();
  const result = buildServices(config, pools);
  await Promise.all([...result.services.values()].map((service) => service.close()));
  await pools.close();
  return {
    names: [...result.services.keys()].sort(),
    errors: result.errors.map((e) => ({ code: e.code, path: e.path })),
    messages: result.errors.map((e) => e.message),
  };
}

const lb = (url = 'http://127.0.0.1:9') => ({ loadBalancer: { servers: [{ url }] } });

describe('buildServices', () => {
  const cases = [
    {
      desc: 'builds load balancers and weighted services over them',
      http: {
        services: {
          'a@file': lb(),
          'b@file': lb(),
          'w@file': { weighted: { services: [{ name: 'a@file' }, { name: 'b@file' }] } },
        },
      },
      names: ['a@file', 'b@file', 'w@file'],
      errors: [],
    },
    {
      desc: 'a loadBalancer without servers is built (it answers 503)',
      http: { services: { 'empty@file': { loadBalancer: { servers: [] } } } },
      names: ['empty@file'],
      errors: [],
    },
    {
      desc: 'an unknown serversTransport disables the service',
      http: {
        services: {
          'a@file': { loadBalancer: { serversTransport: 'nope@file', servers: [{ url: 'http://h' }] } },
        },
      },
      names: [],
      errors: [
        { code: 'CONFIG_MISSING_REFERENCE', path: 'http.services.a@file.loadBalancer.serversTransport' },
      ],
    },
    {
      desc: 'an invalid serversTransport is reported and disables the services using it',
      http: {
        serversTransports: { 't@file': { rootCAs: ['/does/not/exist.pem'] } },
        services: {
          'a@file': { loadBalancer: { serversTransport: 't@file', servers: [{ url: 'https://h' }] } },
          'b@file': lb(),
        },
      },
      names: ['b@file'],
      errors: [
        { code: 'TLS_INVALID', path: 'http.serversTransports.t@file.rootCAs[0]' },
        { code: 'CONFIG_INVALID', path: 'http.services.a@file.loadBalancer.serversTransport' },
      ],
    },
    {
      desc: 'default@internal can be redefined',
      http: {
        serversTransports: { 'default@internal': { insecureSkipVerify: true } },
        services: { 'a@file': lb() },
      },
      names: ['a@file'],
      errors: [],
    },
    {
      desc: 'a weighted service naming an unknown service',
      http: { services: { 'w@file': { weighted: { services: [{ name: 'ghost@file' }] } } } },
      names: [],
      errors: [{ code: 'CONFIG_MISSING_REFERENCE', path: 'http.services.w@file.weighted.services[0].name' }],
    },
    {
      desc: 'a weighted service over a disabled one is disabled too',
      http: {
        services: {
          'bad@file': { loadBalancer: { serversTransport: 'nope@file', servers: [] } },
          'w@file': { weighted: { services: [{ name: 'bad@file' }] } },
        },
      },
      names: [],
      errors: [
        { code: 'CONFIG_MISSING_REFERENCE', path: 'http.services.bad@file.loadBalancer.serversTransport' },
        { code: 'CONFIG_INVALID', path: 'http.services.w@file.weighted.services[0].name' },
      ],
    },
    {
      desc: 'a cycle names every service on it; services above it are disabled',
      http: {
        services: {
          'x@file': { weighted: { services: [{ name: 'y@file' }] } },
          'y@file': { weighted: { services: [{ name: 'x@file' }] } },
          'top@file': { weighted: { services: [{ name: 'x@file' }] } },
          'ok@file': lb(),
        },
      },
      names: ['ok@file'],
      errors: [
        { code: 'CONFIG_CYCLE', path: 'http.services.x@file' },
        { code: 'CONFIG_CYCLE', path: 'http.services.y@file' },
        { code: 'CONFIG_INVALID', path: 'http.services.top@file.weighted.services[0].name' },
      ],
    },
    {
      desc: 'mirroring and failover are built over the services they name',
      http: {
        services: {
          'a@file': lb(),
          'checked@file': { loadBalancer: { healthCheck: { path: '/', interval: '1h' }, servers: [] } },
          'm@file': { mirroring: { service: 'a@file', mirrors: [{ name: 'checked@file', percent: 10 }] } },
          'f@file': { failover: { service: 'checked@file', fallback: 'a@file' } },
          'noop@file': { failover: { service: 'checked@file', fallback: 'noop@internal' } },
        },
      },
      names: ['a@file', 'checked@file', 'f@file', 'm@file', 'noop@file'],
      errors: [],
    },
    {
      desc: 'mirroring and failover report the services they cannot use',
      http: {
        services: {
          'a@file': lb(),
          'm@file': {
            mirroring: { service: 'gone@file', mirrors: [{ name: 'a@file' }, { name: 'x@file' }] },
          },
          'f@file': { failover: { service: 'a@file', fallback: 'gone@file' } },
        },
      },
      names: ['a@file'],
      errors: [
        { code: 'CONFIG_MISSING_REFERENCE', path: 'http.services.m@file.mirroring.service' },
        { code: 'CONFIG_MISSING_REFERENCE', path: 'http.services.m@file.mirroring.mirrors[1].name' },
        // Failing over reads the main service's health: a service without a check cannot be it.
        { code: 'CONFIG_INVALID', path: 'http.services.f@file.failover.service' },
        { code: 'CONFIG_MISSING_REFERENCE', path: 'http.services.f@file.failover.fallback' },
      ],
    },
    {
      desc: 'healthCheck on mirroring and failover needs services that report their health',
      http: {
        services: {
          'plain@file': lb(),
          'checked@file': { loadBalancer: { healthCheck: { path: '/', interval: '1h' }, servers: [] } },
          'm@file': { mirroring: { healthCheck: {}, service: 'plain@file' } },
          'f@file': { failover: { healthCheck: {}, service: 'checked@file', fallback: 'plain@file' } },
        },
      },
      names: ['checked@file', 'plain@file'],
      errors: [
        { code: 'CONFIG_INVALID', path: 'http.services.m@file.mirroring.service' },
        { code: 'CONFIG_INVALID', path: 'http.services.f@file.failover.fallback' },
      ],
    },
    {
      desc: 'gRPC health checks are not supported yet; passive health checks are',
      http: {
        services: {
          'g@file': { loadBalancer: { healthCheck: { mode: 'grpc' }, servers: [] } },
          'p@file': { loadBalancer: { passiveHealthCheck: { maxFailedAttempts: 3 }, servers: [] } },
        },
      },
      names: ['p@file'],
      errors: [{ code: 'CONFIG_INVALID', path: 'http.services.g@file.loadBalancer.healthCheck.mode' }],
    },
    {
      desc: 'weighted healthCheck needs children that report their health',
      http: {
        services: {
          'plain@file': lb(),
          'checked@file': { loadBalancer: { healthCheck: { path: '/', interval: '1h' }, servers: [] } },
          'w@file': {
            weighted: { healthCheck: {}, services: [{ name: 'checked@file' }, { name: 'plain@file' }] },
          },
        },
      },
      names: ['checked@file', 'plain@file'],
      errors: [{ code: 'CONFIG_INVALID', path: 'http.services.w@file.weighted.services[1].name' }],
    },
  ];
  for (const c of cases) {
    test(c.desc, async () => {
      const result = await built(c.http);
      assert.deepEqual(result.names, c.names);
      assert.deepEqual(result.errors, c.errors);
    });
  }

  test('a cycle error shows the path around it', async () => {
    const result = await built({ services: { 'x@file': { weighted: { services: [{ name: 'x@file' }] } } } });
    assert.deepEqual(result.messages, [
      'http.services.x@file: services refer to each other in a cycle: x@file -> x@file',
    ]);
  });
});
