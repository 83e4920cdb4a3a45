import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildSwarmConfiguration,
  containerFromInspect,
  swarmNetworkFromDocument,
  swarmServiceFromDocument,
  swarmTaskFromDocument,
  type BuildOptions,
  type SwarmNetworkInfo,
  type SwarmServiceInfo,
  type SwarmTaskInfo,
} from '../../../src/providers/docker/index.js';
import { DEFAULT_RULE_TEMPLATE } from '../../../src/providers/labels/index.js';

// Traefik's Swarm provider (pkg/provider/docker/pswarm.go, and config.go for what the Docker
// provider shares), as tables: services, tasks and networks in, configuration out.

const OPTIONS: BuildOptions = {
  exposedByDefault: true,
  defaultRule: DEFAULT_RULE_TEMPLATE,
  network: '',
  useBindPortIP: false,
  allowEmptyServices: false,
  constraints: '',
  providerName: 'swarm',
};

const NETWORKS: SwarmNetworkInfo[] = [
  { id: 'net-front', name: 'front' },
  { id: 'net-back', name: 'back' },
  { id: 'net-ingress', name: 'ingress' },
];

const PORT = { 'traefik.http.services.web.loadbalancer.server.port': '8080' };

const service = (
  name: string,
  labels: Record<string, string>,
  extra: Partial<SwarmServiceInfo> = {},
): SwarmServiceInfo => ({
  id: `svc-${name}`,
  name,
  labels,
  endpointMode: 'vip',
  global: false,
  virtualIps: [],
  ...extra,
});

const task = (
  serviceName: string,
  slot: number,
  networks: Record<string, string[]>,
  extra: Partial<SwarmTaskInfo> = {},
): SwarmTaskInfo => ({
  id: `task-${serviceName}-${slot}`,
  serviceId: `svc-${serviceName}`,
  slot,
  state: 'running',
  networks: Object.entries(networks).map(([networkId, addresses]) => ({ networkId, addresses })),
  ...extra,
});

interface Case {
  readonly desc: string;
  readonly services: SwarmServiceInfo[];
  readonly tasks: SwarmTaskInfo[];
  readonly networks?: SwarmNetworkInfo[];
  readonly options?: Partial<BuildOptions>;
  /** Router name → rule. */
  readonly routers: Record<string, string>;
  /** Service name → server URLs. */
  readonly servers: Record<string, string[]>;
  /** `code path` of each error. */
  readonly errors?: string[];
}

const cases: Case[] = [
  {
    desc: 'each running task is a server of one load balancer named after the service',
    services: [service('shop_web', { 'traefik.http.routers.web.rule': 'Host(`shop.test`)', ...PORT })],
    tasks: [
      task('shop_web', 1, { 'net-front': ['10.0.1.3/24'] }),
      task('shop_web', 2, { 'net-front': ['10.0.1.4/24'] }),
      task('shop_web', 3, { 'net-front': ['10.0.1.5/24'] }, { state: 'starting' }),
      task('gone', 1, { 'net-front': ['10.0.1.9/24'] }),
    ],
    routers: { web: 'Host(`shop.test`)' },
    servers: { web: ['http://10.0.1.3:8080', 'http://10.0.1.4:8080'] },
  },
  {
    desc: 'no router label: the automatic router is named after the Swarm service, normalized, with the default rule',
    services: [
      service('shop_api', {
        'traefik.http.services.shop_api.loadbalancer.server.port': '80',
      }),
    ],
    tasks: [task('shop_api', 1, { 'net-front': ['10.0.1.7/24'] })],
    routers: { 'shop-api': 'Host(`shop-api`)' },
    servers: { shop_api: ['http://10.0.1.7:80'] },
  },
  {
    desc: 'traefik.swarm.network chooses among the task networks; networks of other scopes are not addresses',
    services: [service('web', { ...PORT, 'traefik.swarm.network': 'back' })],
    tasks: [
      task('web', 1, {
        'net-front': ['10.0.1.3/24'],
        'net-back': ['10.0.2.3/24'],
        'net-local': ['172.18.0.2/16'],
      }),
    ],
    routers: { web: 'Host(`web`)' },
    servers: { web: ['http://10.0.2.3:8080'] },
  },
  {
    desc: 'the provider network option, and the deprecated traefik.docker.network label, choose too',
    services: [
      service('web', { ...PORT }),
      service('api', {
        'traefik.http.services.api.loadbalancer.server.port': '80',
        'traefik.docker.network': 'front',
      }),
    ],
    tasks: [
      task('web', 1, { 'net-front': ['10.0.1.3/24'], 'net-back': ['10.0.2.3/24'] }),
      task('api', 1, { 'net-front': ['10.0.1.4/24'], 'net-back': ['10.0.2.4/24'] }),
    ],
    options: { network: 'back' },
    routers: { web: 'Host(`web`)', api: 'Host(`api`)' },
    servers: { web: ['http://10.0.2.3:8080'], api: ['http://10.0.1.4:80'] },
  },
  {
    desc: 'a task with no address on any swarm network is not a server; the service without servers is dropped',
    services: [service('web', { ...PORT })],
    tasks: [task('web', 1, { 'net-front': [] })],
    routers: {},
    servers: {},
  },
  {
    desc: 'allowEmptyServices keeps a service with no running task, without servers (503)',
    services: [service('web', { ...PORT, 'traefik.http.routers.web.rule': 'Host(`web.test`)' })],
    tasks: [],
    options: { allowEmptyServices: true },
    routers: { web: 'Host(`web.test`)' },
    servers: { web: [] },
  },
  {
    desc: 'lbswarm: the virtual IP on the chosen network is the one server',
    services: [
      service(
        'web',
        { ...PORT, 'traefik.swarm.lbswarm': 'true', 'traefik.swarm.network': 'front' },
        {
          virtualIps: [
            { networkId: 'net-ingress', addr: '10.0.0.5/24' },
            { networkId: 'net-front', addr: '10.0.1.2/24' },
          ],
        },
      ),
    ],
    tasks: [task('web', 1, { 'net-front': ['10.0.1.3/24'] })],
    routers: { web: 'Host(`web`)' },
    servers: { web: ['http://10.0.1.2:8080'] },
  },
  {
    desc: 'lbswarm without a virtual IP is dropped, or kept empty with allowEmptyServices',
    services: [
      service(
        'web',
        { ...PORT, 'traefik.swarm.lbswarm': 'true' },
        { virtualIps: [{ networkId: 'net-local', addr: '' }] },
      ),
      service('api', {
        'traefik.http.services.api.loadbalancer.server.port': '80',
        'traefik.swarm.lbswarm': 'true',
      }),
    ],
    tasks: [],
    options: { allowEmptyServices: true },
    routers: { web: 'Host(`web`)', api: 'Host(`api`)' },
    servers: { web: [], api: [] },
  },
  {
    desc: 'dnsrr has no virtual IP: lbswarm falls back to the tasks',
    services: [service('web', { ...PORT, 'traefik.swarm.lbswarm': 'true' }, { endpointMode: 'dnsrr' })],
    tasks: [
      task('web', 1, { 'net-front': ['10.0.1.3/24'] }),
      task('web', 2, { 'net-front': ['10.0.1.4/24'] }),
    ],
    routers: { web: 'Host(`web`)' },
    servers: { web: ['http://10.0.1.3:8080', 'http://10.0.1.4:8080'] },
  },
  {
    desc: 'traefik.enable=false, exposedByDefault=false and constraints read the service labels',
    services: [
      service('off', {
        'traefik.enable': 'false',
        'traefik.http.services.off.loadbalancer.server.port': '80',
      }),
      service('plain', { 'traefik.http.services.plain.loadbalancer.server.port': '80' }),
      service('on', {
        'traefik.enable': 'true',
        'traefik.http.services.on.loadbalancer.server.port': '80',
        tier: 'front',
      }),
      service('other', {
        'traefik.enable': 'true',
        'traefik.http.services.other.loadbalancer.server.port': '80',
      }),
    ],
    tasks: ['off', 'plain', 'on', 'other'].map((name, i) =>
      task(name, 1, { 'net-front': [`10.0.1.${i + 10}/24`] }),
    ),
    options: { exposedByDefault: false, constraints: 'Label(`tier`, `front`)' },
    routers: { on: 'Host(`on`)' },
    servers: { on: ['http://10.0.1.12:80'] },
  },
  {
    desc: 'bad labels are reported once per service, named by the service, and leave out only their resource',
    services: [
      service('web', {
        ...PORT,
        'traefik.http.routers.web.rule': 'Host(`web.test`)',
        'traefik.http.routers.web.priority': 'high',
        'traefik.http.routers.ok.rule': 'Host(`ok.test`)',
      }),
    ],
    tasks: [
      task('web', 1, { 'net-front': ['10.0.1.3/24'] }),
      task('web', 2, { 'net-front': ['10.0.1.4/24'] }),
    ],
    routers: { ok: 'Host(`ok.test`)' },
    servers: { web: ['http://10.0.1.3:8080', 'http://10.0.1.4:8080'] },
    errors: ['CONFIG_INVALID service web: traefik.http.routers.web.priority'],
  },
  {
    desc: 'a service without a port label has no server address (Swarm reports no exposed port)',
    services: [service('web', {})],
    tasks: [task('web', 1, { 'net-front': ['10.0.1.3/24'] })],
    routers: {},
    servers: {},
    errors: ['CONFIG_INVALID service web: http.services.web'],
  },
  {
    desc: 'traefik.swarm.* and traefik.docker.* together are refused for the whole service',
    services: [
      service('web', { ...PORT, 'traefik.swarm.network': 'front', 'traefik.docker.network': 'back' }),
    ],
    tasks: [task('web', 1, { 'net-front': ['10.0.1.3/24'] })],
    routers: {},
    servers: {},
    errors: ['CONFIG_CONFLICT service web: traefik.swarm'],
  },
  {
    desc: 'an unknown traefik.swarm label is refused with its key',
    services: [service('web', { ...PORT, 'traefik.swarm.lbswarmm': 'true' })],
    tasks: [task('web', 1, { 'net-front': ['10.0.1.3/24'] })],
    routers: {},
    servers: {},
    errors: ['CONFIG_UNKNOWN_FIELD service web: traefik.swarm.lbswarmm'],
  },
  {
    desc: 'an IPv6 task address is bracketed',
    services: [service('web', { ...PORT })],
    tasks: [task('web', 1, { 'net-front': ['fd00:1::3/64'] })],
    routers: { web: 'Host(`web`)' },
    servers: { web: ['http://[fd00:1::3]:8080'] },
  },
];

describe('buildSwarmConfiguration', () => {
  for (const c of cases) {
    test(c.desc, () => {
      const { config, errors } = buildSwarmConfiguration(c.services, c.tasks, c.networks ?? NETWORKS, {
        ...OPTIONS,
        ...c.options,
      });
      const routers = Object.fromEntries(
        Object.entries(config.http.routers).map(([name, r]) => [name, r.rule]),
      );
      const servers = Object.fromEntries(
        Object.entries(config.http.services).map(([name, s]) => [
          name,
          s.type === 'loadBalancer' ? (s.servers ?? []).map((server) => server.url).sort() : [],
        ]),
      );
      assert.deepEqual(routers, c.routers);
      assert.deepEqual(servers, c.servers);
      assert.deepEqual(
        errors.map((e) => `${e.code} ${e.path}`),
        c.errors ?? [],
      );
    });
  }

  test('the default rule sees the task name as .ContainerName and the service as .Name', () => {
    const { config } = buildSwarmConfiguration(
      [service('shop_web', { ...PORT })],
      [task('shop_web', 2, { 'net-front': ['10.0.1.3/24'] })],
      NETWORKS,
      { ...OPTIONS, defaultRule: 'Host(`{{ .Name }}.example`) || Host(`{{ .ContainerName }}.example`)' },
    );
    assert.equal(
      config.http.routers['shop-web']?.rule,
      'Host(`shop-web.example`) || Host(`shop_web.2.example`)',
    );
  });

  test('a global service names its tasks by ID', () => {
    const { config } = buildSwarmConfiguration(
      [service('agent', { ...PORT }, { global: true })],
      [task('agent', 0, { 'net-front': ['10.0.1.3/24'] }, { slot: undefined, id: 'x1y2' })],
      NETWORKS,
      { ...OPTIONS, defaultRule: 'Host(`{{ .ContainerName }}`)' },
    );
    assert.equal(config.http.routers.agent?.rule, 'Host(`agent.x1y2`)');
  });
});

describe('Swarm API documents', () => {
  test('a service, with Docker nulls read as empty and vip as the default endpoint mode', () => {
    assert.deepEqual(
      swarmServiceFromDocument({
        ID: 's1',
        Spec: { Name: 'web', Labels: null, Mode: { Global: {} }, EndpointSpec: null },
        Endpoint: { VirtualIPs: [{ NetworkID: 'n1', Addr: '10.0.1.2/24' }, { NetworkID: 'n2' }] },
      }),
      {
        id: 's1',
        name: 'web',
        labels: {},
        endpointMode: 'vip',
        global: true,
        virtualIps: [
          { networkId: 'n1', addr: '10.0.1.2/24' },
          { networkId: 'n2', addr: '' },
        ],
      },
    );
    assert.equal(
      swarmServiceFromDocument({ ID: 's2', Spec: { Name: 'rr', EndpointSpec: { Mode: 'dnsrr' } } })
        .endpointMode,
      'dnsrr',
    );
  });

  test('a task and a network', () => {
    assert.deepEqual(
      swarmTaskFromDocument({
        ID: 't1',
        ServiceID: 's1',
        Slot: 2,
        Status: { State: 'running', ContainerStatus: { ContainerID: 'c1' } },
        NetworksAttachments: [
          { Network: { ID: 'n1' }, Addresses: null },
          { Network: { ID: 'n2' }, Addresses: ['10.0.2.3/24'] },
        ],
      }),
      {
        id: 't1',
        serviceId: 's1',
        slot: 2,
        state: 'running',
        networks: [
          { networkId: 'n1', addresses: [] },
          { networkId: 'n2', addresses: ['10.0.2.3/24'] },
        ],
      },
    );
    assert.deepEqual(swarmNetworkFromDocument({ Id: 'n1', Name: 'front' }), { id: 'n1', name: 'front' });
  });

  test('a paused container counts as not running', () => {
    const inspect = { Id: 'c', Name: '/c', State: { Running: true, Paused: true } };
    assert.equal(containerFromInspect(inspect).state.running, false);
  });
});
