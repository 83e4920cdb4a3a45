import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Dockerode from 'dockerode';
import { performance } from 'node:perf_hooks';
import { StaticConfig } from '../../../src/config/static/index.js';
import { DockerProvider, SwarmProvider } from '../../../src/providers/index.js';
import {
  isSwarmManager,
  openEngine,
  ensureTestImage,
  removeTestObjects,
  startHttpd,
  testLabels,
  TEST_IMAGE,
} from '../support/docker.js';
import { eventually, Recorder, startRouting, type Routing } from '../docker/harness.js';

// The Swarm provider against a real single-node swarm (created here unless the engine is a
// manager already, and left again afterwards only then). Services run on a swarm-scope
// bridge network, whose task addresses the host can reach; an overlay network is used only
// to read a virtual IP, never sent traffic: overlay addresses are not on this host.

const SUITE = 'swarm';
const BRIDGE = 'sy-swarm-bridge';
const OVERLAY = 'sy-swarm-overlay';
const CONSTRAINT = `Label(\`switchyard.test.suite\`, \`${SUITE}\`)`;

const engine = await openEngine();
const skip = 'skip' in engine ? engine.skip : false;
if (skip) console.log(`# skipping the Swarm provider suite: ${skip}`);

describe('Swarm provider against a real single-node swarm', { skip }, () => {
  const docker = 'docker' in engine ? engine.docker : (undefined as unknown as Dockerode);
  let createdSwarm = false;
  let routing: Routing;
  let recorder: Recorder;
  let provider: SwarmProvider;

  before(async () => {
    await ensureTestImage(docker);
    if (!(await isSwarmManager(docker))) {
      await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
      createdSwarm = true;
    }
    await removeTestObjects(docker, SUITE);
    const labels = testLabels(SUITE);
    await docker.createNetwork({ Name: BRIDGE, Driver: 'bridge', Scope: 'swarm', Labels: labels });
    await docker.createNetwork({ Name: OVERLAY, Driver: 'overlay', Labels: labels });
    routing = await startRouting();
    recorder = new Recorder(routing.controller.receive);
    const options = StaticConfig.parse({ providers: { swarm: { constraints: CONSTRAINT } } }).providers
      .swarm!;
    provider = new SwarmProvider(options);
    await provider.start(recorder.emit);
  });

  after(async () => {
    await provider?.stop();
    await routing?.close();
    await removeTestObjects(docker, SUITE);
    if (createdSwarm) {
      await docker.swarmLeave({ force: true });
      // Created by `swarm init` for the node's ingress traffic; not needed once out of the swarm.
      await docker
        .getNetwork('docker_gwbridge')
        .remove()
        .catch(() => undefined);
    }
  });

  async function createService(
    name: string,
    labels: Record<string, string>,
    network: string,
    endpointMode: 'vip' | 'dnsrr' = 'vip',
  ): Promise<Dockerode.Service> {
    return docker.createService({
      Name: name,
      Labels: { ...testLabels(SUITE), ...labels },
      TaskTemplate: {
        ContainerSpec: {
          Image: TEST_IMAGE,
          // Each replica answers with its own hostname, so that the test can tell them apart.
          Command: ['/bin/sh', '-c', 'echo $HOSTNAME > /www/index.html; exec httpd -f -p 80 -h /www'],
          Labels: testLabels(SUITE),
        },
        Networks: [{ Target: network }],
      },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: endpointMode },
    });
  }

  async function scale(service: Dockerode.Service, replicas: number): Promise<void> {
    const { Version, Spec } = (await service.inspect()) as {
      Version: { Index: number };
      Spec: Record<string, unknown>;
    };
    await service.update({
      _query: { version: Version.Index },
      _body: { ...Spec, Mode: { Replicated: { Replicas: replicas } } },
    });
  }

  /**
   * Every server is on the test's bridge network, so that traffic goes nowhere else. The
   * network has its subnet once a task runs on this node: Swarm leaves a local driver's
   * addresses to the node.
   */
  async function onBridge(urls: readonly string[]): Promise<boolean> {
    const inspect = (await docker.getNetwork(BRIDGE).inspect()) as {
      IPAM?: { Config?: { Subnet?: string }[] };
    };
    const subnet = inspect.IPAM?.Config?.[0]?.Subnet;
    return (
      subnet !== undefined && urls.length > 0 && urls.every((url) => inSubnet(new URL(url).hostname, subnet))
    );
  }

  test('a labelled service is routed; scaled from 1 to 3, every replica is routed about a second later', async (t) => {
    const labels = {
      'traefik.http.routers.web.rule': 'Host(`web.swarm.test`)',
      'traefik.http.services.web.loadbalancer.server.port': '80',
      'traefik.swarm.network': BRIDGE,
    };
    const createdAt = performance.now();
    const web = await createService('sy-swarm-web', labels, BRIDGE);
    await eventually('one task routed', () => recorder.urls('web').length === 1);
    const routedAt = performance.now();
    assert.ok(onBridge(recorder.urls('web')), `servers on ${BRIDGE}: ${recorder.urls('web').join(', ')}`);
    await eventually(
      'web.swarm.test answered',
      async () => (await routing.get('web.swarm.test')).status === 200,
    );

    const scaledAt = performance.now();
    await scale(web, 3);
    await eventually('three tasks routed', () => recorder.urls('web').length === 3, 10_000);
    const allAt = performance.now();
    t.diagnostic(`created → routed: ${Math.round(routedAt - createdAt)} ms`);
    t.diagnostic(`scaled 1 → 3 → all three routed: ${Math.round(allAt - scaledAt)} ms`);
    assert.ok(
      allAt - scaledAt < 2_500,
      `all replicas routed ${Math.round(allAt - scaledAt)} ms after the scale`,
    );
    assert.ok(await onBridge(recorder.urls('web')));

    const hostnames = new Set<string>();
    await eventually('each replica answers', async () => {
      const reply = await routing.get('web.swarm.test');
      if (reply.status === 200) hostnames.add(reply.body);
      return hostnames.size === 3;
    });

    await web.remove();
    await eventually('the service removed', () => !('web' in recorder.config.http.routers), 5_000);
  });

  test('traefik.swarm.lbswarm routes to the virtual IP of a vip service', async () => {
    const labels = {
      'traefik.http.routers.vip.rule': 'Host(`vip.swarm.test`)',
      'traefik.http.services.vip.loadbalancer.server.port': '80',
      'traefik.swarm.lbswarm': 'true',
    };
    const service = await createService('sy-swarm-vip', labels, OVERLAY);
    const overlayId = (await docker.getNetwork(OVERLAY).inspect()).Id as string;
    let vip = '';
    await eventually('the service has its virtual IP', async () => {
      const { Endpoint } = (await service.inspect()) as {
        Endpoint?: { VirtualIPs?: { NetworkID: string; Addr: string }[] };
      };
      vip = Endpoint?.VirtualIPs?.find((v) => v.NetworkID === overlayId)?.Addr.replace(/\/\d+$/, '') ?? '';
      return vip !== '';
    });
    await eventually('routed to the virtual IP', () => recorder.urls('vip')[0] === `http://${vip}:80`);
    assert.equal(recorder.urls('vip').length, 1, 'one server: Swarm balances behind it');
    await service.remove();
  });

  test('dnsrr has no virtual IP: lbswarm falls back to the tasks', async () => {
    const labels = {
      'traefik.http.routers.rr.rule': 'Host(`rr.swarm.test`)',
      'traefik.http.services.rr.loadbalancer.server.port': '80',
      'traefik.swarm.lbswarm': 'true',
    };
    const service = await createService('sy-swarm-rr', labels, BRIDGE, 'dnsrr');
    await eventually('the task routed', () => recorder.urls('rr').length === 1);
    assert.ok(await onBridge(recorder.urls('rr')));
    await eventually(
      'rr.swarm.test answered',
      async () => (await routing.get('rr.swarm.test')).status === 200,
    );
    await service.remove();
  });

  test('the Docker and Swarm providers run side by side into one controller', async (t) => {
    const options = StaticConfig.parse({
      providers: { docker: { constraints: 'Label(`switchyard.test.case`, `side-by-side`)' } },
    }).providers.docker!;
    const dockerProvider = new DockerProvider(options);
    await dockerProvider.start(routing.controller.receive);
    t.after(() => dockerProvider.stop());
    await startHttpd(docker, SUITE, {
      name: 'sy-swarm-plain',
      labels: {
        'switchyard.test.case': 'side-by-side',
        'traefik.http.routers.plain.rule': 'Host(`plain.test`)',
      },
    });
    await createService(
      'sy-swarm-both',
      {
        'traefik.http.routers.both.rule': 'Host(`both.swarm.test`)',
        'traefik.http.services.both.loadbalancer.server.port': '80',
      },
      BRIDGE,
    );
    const routers = () => Object.keys(routing.controller.current()?.config.http.routers ?? {});
    await eventually(
      'both providers routed',
      () => routers().includes('plain@docker') && routers().includes('both@swarm'),
    );
    assert.ok(await onBridge(recorder.urls('both')));
    await eventually(
      'the container answers',
      async () => (await routing.get('plain.test')).body === 'sy-swarm-plain',
    );
    await eventually(
      'the service answers',
      async () => (await routing.get('both.swarm.test')).status === 200,
    );
  });
});

function inSubnet(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const toNumber = (address: string) => address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size);
}
