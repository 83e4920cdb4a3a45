import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type Dockerode from 'dockerode';
import { performance } from 'node:perf_hooks';
import { StaticConfig } from '../../../src/config/static/index.js';
import { DEFAULT_PROVIDERS_THROTTLE_MS } from '../../../src/controller/index.js';
import { DockerProvider, SwarmProvider, type ProviderMessage } from '../../../src/providers/index.js';
import { createDockerApi, type DockerApi } from '../../../src/providers/docker/index.js';
import {
  addressOn,
  isSwarmManager,
  openEngine,
  ensureTestImage,
  removeTestObjects,
  startHttpd,
  testLabels,
  TEST_IMAGE,
} from '../support/docker.js';
import { eventually, Recorder, startRouting, steadyLoad, type Routing } from '../docker/harness.js';

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

  /** Changes the service's spec as `docker service update` does. */
  async function update(
    service: Dockerode.Service,
    change: (spec: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<void> {
    const { Version, Spec } = (await service.inspect()) as {
      Version: { Index: number };
      Spec: Record<string, unknown>;
    };
    await service.update({ _query: { version: Version.Index }, _body: change(Spec) });
  }

  const scale = (service: Dockerode.Service, replicas: number) =>
    update(service, (spec) => ({ ...spec, Mode: { Replicated: { Replicas: replicas } } }));

  /** The bridge network's subnet, once a task on this node has made the node allocate it. */
  async function bridgeSubnet(): Promise<string | undefined> {
    const inspect = (await docker.getNetwork(BRIDGE).inspect()) as {
      IPAM?: { Config?: { Subnet?: string }[] };
    };
    return inspect.IPAM?.Config?.[0]?.Subnet;
  }

  /**
   * Every server is on the test's bridge network, so that traffic goes nowhere else. The
   * network has its subnet once a task runs on this node: Swarm leaves a local driver's
   * addresses to the node.
   */
  async function onBridge(urls: readonly string[]): Promise<boolean> {
    const subnet = await bridgeSubnet();
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
    assert.ok(
      await onBridge(recorder.urls('web')),
      `servers on ${BRIDGE}: ${recorder.urls('web').join(', ')}`,
    );
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

  // The update order we document (start-first: the new task runs before the old one is told
  // to stop), and Swarm's default, stop-first, with a delay between tasks, as seen by a
  // manager whose tasks run on other nodes: their container events never reach it, and no
  // task is on its way to running when the next old one is told to stop. Only the reads
  // during the update then see it leave, before its stop signal.
  const rollingCases = [
    { desc: 'start-first', order: 'start-first', delayS: 0, taskEvents: true, replicas: 3 },
    {
      desc: "stop-first, 1 s apart, the tasks' container events unseen",
      order: 'stop-first',
      delayS: 1,
      taskEvents: false,
      replicas: 2, // each of its steps takes some 7 s
    },
  ] as const;
  for (const c of rollingCases) {
    test(`a rolling update (${c.desc}) under steady load fails no request`, async (t) => {
      await rollingUpdate(t, c);
    });
  }

  async function rollingUpdate(
    t: TestContext,
    { order, delayS, taskEvents, replicas }: (typeof rollingCases)[number],
  ): Promise<void> {
    const CASE = `rolling-${order}`;
    const HOST = `${CASE}.swarm.test`;
    const RATE = 200; // requests per second
    const MAX_IN_FLIGHT = 32;
    // The harshest application: it exits the moment it gets SIGTERM, so each old task must
    // be out of the load balancer before Docker sends it.
    const script = [
      "trap 'exit 0' TERM",
      'echo $HOSTNAME > /www/index.html',
      'httpd -p 80 -h /www',
      'touch /tmp/up',
      'while true; do sleep 1 & wait $!; done',
    ].join('; ');
    const service = await docker.createService({
      Name: `sy-swarm-${CASE}`,
      Labels: {
        ...testLabels(SUITE),
        'switchyard.test.case': CASE,
        'traefik.http.routers.rolling.rule': `Host(\`${HOST}\`)`,
        'traefik.http.services.rolling.loadbalancer.server.port': '80',
        'traefik.swarm.network': BRIDGE,
      },
      TaskTemplate: {
        ContainerSpec: {
          Image: TEST_IMAGE,
          Command: ['/bin/sh', '-c', script],
          Labels: testLabels(SUITE),
          // Swarm marks a task running only once healthy: routed only once it listens.
          HealthCheck: { Test: ['CMD', 'test', '-f', '/tmp/up'], Interval: 500e6, Timeout: 1e9, Retries: 1 },
        },
        Networks: [{ Target: BRIDGE }],
      },
      Mode: { Replicated: { Replicas: replicas } },
      UpdateConfig: { Order: order, Parallelism: 1, Delay: delayS * 1e9 },
    });
    let subnet: string | undefined;
    await eventually(
      'the bridge network has its subnet',
      async () => (subnet = await bridgeSubnet()) !== undefined,
    );

    // Its own provider and routing, with the throttle users get, and a guard: a message
    // naming a server outside the test's bridge subnet is never applied.
    const routing = await startRouting({ providersThrottleDuration: DEFAULT_PROVIDERS_THROTTLE_MS });
    const strays: string[] = [];
    const recorder = new Recorder((message) => {
      const away = serverUrls(message).filter((url) => !inSubnet(new URL(url).hostname, subnet!));
      if (away.length === 0) routing.controller.receive(message);
      else strays.push(...away);
    });
    const options = StaticConfig.parse({
      providers: { swarm: { constraints: `Label(\`switchyard.test.case\`, \`${CASE}\`)` } },
    }).providers.swarm!;
    const api = createDockerApi(options);
    const events: DockerApi['events'] = (filters, signal) =>
      api.events(taskEvents ? filters : { ...filters, type: ['service', 'node'] }, signal);
    const provider = new SwarmProvider(options, {}, { ...api, events });
    t.after(async () => {
      await provider.stop();
      await routing.close();
    });
    // When the controller published each configuration, and the servers in it.
    const published: { at: number; urls: string[] }[] = [];
    routing.controller.onConfig(({ config }) => {
      const service = config.http.services['rolling@swarm'];
      const urls = service?.type === 'loadBalancer' ? (service.servers ?? []).map((s) => s.url) : [];
      published.push({ at: performance.now(), urls });
    });
    await provider.start(recorder.emit);
    await eventually('every task routed', () => recorder.urls('rolling').length === replicas, 20_000);
    const old = await runningTasks(service);
    assert.equal(old.length, replicas);
    const oldHosts = new Set<string>();
    await eventually('each replica answers', async () => {
      const reply = await routing.get(HOST);
      if (reply.status === 200) oldHosts.add(reply.body);
      return oldHosts.size === replicas;
    });

    // When each old task's container gets its stop signal, as this process sees it.
    const kills = new Map<string, number>();
    const abort = new AbortController();
    const killEvents = await docker.getEvents({
      filters: JSON.stringify({
        type: ['container'],
        event: ['kill'],
        label: [`switchyard.test.suite=${SUITE}`],
      }),
      abortSignal: abort.signal,
    });
    let pending = '';
    killEvents.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop()!;
      for (const line of lines.filter(Boolean)) {
        const event = JSON.parse(line) as { Actor?: { ID?: string; Attributes?: Record<string, string> } };
        const id = event.Actor?.ID ?? '';
        if (event.Actor?.Attributes?.signal === '15' && !kills.has(id)) kills.set(id, performance.now());
      }
    });
    killEvents.on('error', () => undefined); // the abort below
    t.after(() => abort.abort());

    const loadAt = performance.now();
    const load = steadyLoad(routing, HOST, RATE, MAX_IN_FLIGHT);
    await new Promise((r) => setTimeout(r, 500));
    const updateAt = performance.now();
    await update(service, (spec) => {
      const template = spec.TaskTemplate as Record<string, unknown>;
      return { ...spec, TaskTemplate: { ...template, ForceUpdate: Number(template.ForceUpdate ?? 0) + 1 } };
    });
    await eventually(
      'the update completed',
      async () =>
        ((await service.inspect()) as { UpdateStatus?: { State?: string } }).UpdateStatus?.State ===
        'completed',
      60_000,
    );
    const completedAt = performance.now();
    await eventually(
      'every old task got its stop signal and exited',
      async () => {
        const states = await Promise.all(old.map((task) => containerRunning(task.container)));
        return old.every((task) => kills.has(task.container)) && states.every((running) => !running);
      },
      20_000,
    );
    const exitedAt = performance.now();
    await new Promise((r) => setTimeout(r, 500));
    const { replies, skipped } = await load.stop();
    const loadMs = performance.now() - loadAt;

    const failed = replies.filter((reply) => reply.status !== 200);
    const after = replies.filter((reply) => reply.at > exitedAt);
    const margins = old.map((task) => {
      const dropped = published.find((p) => p.at > updateAt && !p.urls.includes(task.url));
      return (kills.get(task.container) ?? 0) - (dropped?.at ?? Infinity);
    });
    t.diagnostic(
      `${replies.length} requests in ${Math.round(loadMs)} ms (${Math.round((replies.length * 1000) / loadMs)}/s); ` +
        `${skipped} skipped (${MAX_IN_FLIGHT} in flight); update ${Math.round(completedAt - updateAt)} ms; failed ${failed.length}`,
    );
    t.diagnostic(
      `each old task was published without this long before its SIGTERM: ${margins.map((m) => `${Math.round(m)} ms`).join(', ')}`,
    );

    assert.deepEqual(strays, [], 'no server outside the test network was ever applied');
    assert.deepEqual(failed.slice(0, 5), [], `${failed.length} failed requests`);
    assert.ok(replies.length >= loadMs / 20, `only ${replies.length} requests in ${Math.round(loadMs)} ms`);
    assert.ok(
      margins.every((m) => m > 0),
      'every old task left before its stop signal',
    );
    assert.ok(
      after.length > 0 && after.every((reply) => !oldHosts.has(reply.body)),
      'only new tasks answer at the end',
    );
    await service.remove();
  }

  /** The running tasks of a service: their container and the URL they are routed at on the bridge. */
  async function runningTasks(service: Dockerode.Service): Promise<{ container: string; url: string }[]> {
    const tasks = (await docker.listTasks({
      filters: { service: [service.id], 'desired-state': ['running'] },
    })) as { Status?: { State?: string; ContainerStatus?: { ContainerID?: string } } }[];
    return Promise.all(
      tasks
        .filter((task) => task.Status?.State === 'running')
        .map(async (task) => {
          const container = task.Status!.ContainerStatus!.ContainerID!;
          return { container, url: `http://${await addressOn(docker.getContainer(container), BRIDGE)}:80` };
        }),
    );
  }

  async function containerRunning(id: string): Promise<boolean> {
    try {
      return ((await docker.getContainer(id).inspect()) as { State: { Running: boolean } }).State.Running;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw error;
    }
  }

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

/** Every server URL of every load balancer in a message. */
function serverUrls(message: ProviderMessage): string[] {
  return Object.values(message.config.http.services).flatMap((service) =>
    service.type === 'loadBalancer' ? (service.servers ?? []).map((server) => server.url) : [],
  );
}

function inSubnet(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const toNumber = (address: string) => address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size);
}
