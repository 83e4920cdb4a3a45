import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildConfiguration,
  containerFromInspect,
  type BuildOptions,
  type ContainerInfo,
} from '../../../src/providers/docker/index.js';
import { DEFAULT_RULE_TEMPLATE } from '../../../src/providers/labels/index.js';

const OPTIONS: BuildOptions = {
  exposedByDefault: true,
  defaultRule: DEFAULT_RULE_TEMPLATE,
  network: '',
  useBindPortIP: false,
  allowEmptyServices: false,
  constraints: '',
  providerName: 'docker',
};

let serial = 0;
const container = (name: string, extra: Partial<ContainerInfo> = {}): ContainerInfo => ({
  id: `${String(++serial).padStart(4, '0')}${'ab'.repeat(30)}`,
  name: `/${name}`,
  labels: {},
  state: { running: true, health: undefined },
  networkMode: 'bridge',
  networks: { bridge: { ipv4: '172.17.0.2', ipv6: undefined } },
  ports: [{ port: 80, protocol: 'tcp', bindings: [] }],
  ...extra,
});

const build = (containers: ContainerInfo[], options: Partial<BuildOptions> = {}) =>
  buildConfiguration(containers, { ...OPTIONS, ...options });
const urlsOf = (result: ReturnType<typeof build>, service: string) => {
  const s = result.config.http.services[service];
  return s?.type === 'loadBalancer' ? s.servers?.map((server) => server.url) : undefined;
};
const errorsOf = (result: ReturnType<typeof build>) => result.errors.map((e) => [e.code, e.path, e.detail]);

describe('containerFromInspect', () => {
  test('reads the parts the provider needs, and Docker nulls as empty', () => {
    const got = containerFromInspect({
      Id: 'abc',
      Name: '/web',
      State: { Running: true, Health: null },
      Config: { Labels: null },
      HostConfig: { NetworkMode: 'container:def' },
      NetworkSettings: {
        Ports: { '80/tcp': null, '53/UDP': [{ HostIp: '', HostPort: '5353' }], bogus: null },
        Networks: { v6: { IPAddress: '', GlobalIPv6Address: 'fd00::2' } },
      },
    });
    assert.deepEqual(got, {
      id: 'abc',
      name: '/web',
      labels: {},
      state: { running: true, health: undefined },
      networkMode: 'container:def',
      networks: { v6: { ipv4: undefined, ipv6: 'fd00::2' } },
      ports: [
        { port: 80, protocol: 'tcp', bindings: [] },
        { port: 53, protocol: 'udp', bindings: [{ hostIp: '', hostPort: '5353' }] },
      ],
    });
  });

  test('a stopped container, as Docker shows it: no ports, no health section', () => {
    const got = containerFromInspect({
      Id: 'x',
      Name: '/x',
      State: { Running: false },
      NetworkSettings: { Ports: {}, Networks: null },
    });
    assert.equal(got.state.running, false);
    assert.deepEqual(got.ports, []);
    assert.deepEqual(got.networks, {});
    assert.equal(got.networkMode, 'default');
  });
});

describe('addresses', () => {
  test('IPv4 is preferred on a dual-stack network', () => {
    const result = build([container('dual', { networks: { n: { ipv4: '10.0.0.2', ipv6: 'fd00::2' } } })]);
    assert.deepEqual(urlsOf(result, 'dual'), ['http://10.0.0.2:80']);
  });

  test('a network label naming a joined network without an address is an error', () => {
    const result = build([
      container('noaddr', {
        labels: { 'traefik.docker.network': 'n' },
        networks: { n: { ipv4: '', ipv6: undefined } },
      }),
    ]);
    assert.deepEqual(errorsOf(result), [
      [
        'CONFIG_INVALID',
        'container noaddr: http.services.noaddr',
        'no server address: the container has no address on network n',
      ],
    ]);
    assert.deepEqual(result.config.http.routers, {});
  });

  test('container network mode towards a container that is not listed', () => {
    const result = build([container('side', { networkMode: 'container:0123456789abcdef', networks: {} })]);
    assert.deepEqual(errorsOf(result), [
      [
        'CONFIG_INVALID',
        'container side: http.services.side',
        'no server address: it shares the network of container 0123456789abcdef, which is not listed',
      ],
    ]);
  });

  test('container network mode by name, and a loop', () => {
    const a = container('a', {
      networkMode: 'container:b',
      networks: {},
      labels: { 'traefik.enable': 'false' },
    });
    const b = container('b', { networkMode: 'container:a', networks: {} });
    const c = container('c', { networkMode: 'container:/d', networks: {} });
    const d = container('d', {
      networks: { n: { ipv4: '10.9.9.9', ipv6: undefined } },
      labels: { 'traefik.enable': 'false' },
    });
    const result = build([a, b, c, d]);
    assert.deepEqual(urlsOf(result, 'c'), ['http://10.9.9.9:80']);
    assert.deepEqual(errorsOf(result), [
      [
        'CONFIG_INVALID',
        'container b: http.services.b',
        'no server address: network mode container:b loops back',
      ],
    ]);
  });

  test('useBindPortIP with an unpublished port uses the container address', () => {
    const result = build([container('unpublished')], { useBindPortIP: true });
    assert.deepEqual(urlsOf(result, 'unpublished'), ['http://172.17.0.2:80']);
  });

  test('replicas reaching the same URL count once', () => {
    const published = {
      ports: [{ port: 80, protocol: 'tcp', bindings: [{ hostIp: '10.0.0.1', hostPort: '8080' }] }],
    };
    const labels = { 'com.docker.compose.project': 'p', 'com.docker.compose.service': 's' };
    const result = build(
      [container('p-s-1', { ...published, labels }), container('p-s-2', { ...published, labels })],
      {
        useBindPortIP: true,
      },
    );
    assert.deepEqual(urlsOf(result, 's-p'), ['http://10.0.0.1:8080']);
  });
});

describe('defaults and filters', () => {
  test('compose labels need both project and service; otherwise the container name is used', () => {
    const result = build([container('proj-web-1', { labels: { 'com.docker.compose.project': 'proj' } })]);
    assert.deepEqual(Object.keys(result.config.http.services), ['proj-web-1']);
  });

  test('a container with only middleware labels still gets the automatic service and router', () => {
    const result = build([
      container('mw', { labels: { 'traefik.http.middlewares.strip.stripprefix.prefixes': '/a' } }),
    ]);
    assert.deepEqual(Object.keys(result.config.http.routers), ['mw']);
    assert.deepEqual(Object.keys(result.config.http.services), ['mw']);
    assert.deepEqual(Object.keys(result.config.http.middlewares), ['strip']);
  });

  test('replicas with allowEmptyServices: the unhealthy one adds no server to the shared service', () => {
    const labels = { 'com.docker.compose.project': 'p', 'com.docker.compose.service': 'api' };
    const result = build(
      [
        container('p-api-1', { labels, networks: { n: { ipv4: '10.0.0.1', ipv6: undefined } } }),
        container('p-api-2', {
          labels,
          state: { running: true, health: 'unhealthy' },
          networks: { n: { ipv4: '10.0.0.2', ipv6: undefined } },
        }),
      ],
      { allowEmptyServices: true },
    );
    assert.deepEqual(urlsOf(result, 'api-p'), ['http://10.0.0.1:80']);
    assert.deepEqual(result.errors, []);
  });

  test('a stopped container with allownonrunning is kept whatever its last health', () => {
    const result = build([
      container('asleep', {
        state: { running: false, health: 'unhealthy' },
        labels: { 'traefik.docker.allownonrunning': 'true' },
      }),
    ]);
    assert.deepEqual(urlsOf(result, 'asleep'), []);
    assert.deepEqual(Object.keys(result.config.http.routers), ['asleep']);
  });

  test('a container with only TCP labels gets no HTTP defaults, and its label errors are still reported', () => {
    const result = build([
      container('pg', {
        labels: {
          'traefik.tcp.routers.pg.rule': 'HostSNI(`*`)',
          'traefik.tls.options.x.minversion': 'VersionTLS12',
        },
      }),
    ]);
    assert.deepEqual(result.config.http.routers, {});
    assert.deepEqual(result.config.http.services, {});
    assert.deepEqual(
      result.errors.map((e) => [e.code, e.path]),
      [['UNSUPPORTED', 'container pg: traefik.tls.options.x.minversion']],
    );
  });

  test('a wrong traefik.docker label drops the container, as in Traefik', () => {
    const result = build([container('odd', { labels: { 'traefik.docker.allownonrunning': 'maybe' } })]);
    assert.deepEqual(result.config.http.services, {});
    assert.deepEqual(errorsOf(result), [
      [
        'CONFIG_INVALID',
        'container odd: traefik.docker.allownonrunning',
        '"maybe" is not a boolean (true or false)',
      ],
    ]);
  });

  test('validation errors about the server name its label', () => {
    const result = build([
      container('w', { labels: { 'traefik.http.services.w.loadbalancer.server.weight': '1.5' } }),
    ]);
    assert.deepEqual(
      result.errors.map((e) => e.path),
      ['container w: traefik.http.services.w.loadbalancer.server.weight'],
    );
    assert.deepEqual(result.config.http.services, {});
  });

  test('the error path uses the provider name', () => {
    const result = build([], { providerName: 'swarm', constraints: 'Nope(`a`, `b`)' });
    assert.deepEqual(errorsOf(result), [
      [
        'RULE_UNKNOWN_MATCHER',
        'providers.swarm.constraints',
        'column 1: unknown function "Nope" (Label or LabelRegex)',
      ],
    ]);
  });
});
