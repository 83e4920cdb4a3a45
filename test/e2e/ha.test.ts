import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openEngine } from '../integration/support/docker.js';
import { freePort } from '../integration/support/etcd.js';
import { eventually, steadyLoad, type Routing } from '../integration/docker/harness.js';
import { ComposeProject, docker, missingImages } from './support/docker-cli.js';
import { get } from './support/http.js';

// compose/ha.yml: three control nodes that form the cluster with --bootstrap-expect=3, and
// two data nodes. Which control node is the controller is read from the nodes' logs, which
// also show when it changed. Requests go to the data nodes' ports, published on 127.0.0.1
// only.

const PROJECT = 'sy-e2e-ha';
const CONTROL = ['control-1', 'control-2', 'control-3'] as const;
const ELECTED = 'elected controller';
const DEPOSED = 'no longer the controller';

const engine = await openEngine();
const skip = 'skip' in engine ? engine.skip : await missingImages();
if (skip) console.log(`# skipping the HA suite: ${skip}`);

/** steadyLoad's target: GETs through one published port. */
const through = (port: number): Routing =>
  ({ get: (host: string) => get(port, host) }) as Pick<Routing, 'get'> as Routing;

describe('compose/ha.yml', { skip, timeout: 300_000 }, () => {
  let project: ComposeProject;
  let data1: number;
  let data2: number;

  before(async () => {
    [data1, data2] = [await freePort(), await freePort()];
    project = new ComposeProject(PROJECT, ['compose/ha.yml'], {
      SWITCHYARD_BOOTSTRAP_TOKEN: randomBytes(32).toString('hex'),
      SWITCHYARD_HTTP_PORT: `127.0.0.1:${data1}`,
      SWITCHYARD_HTTPS_PORT: `127.0.0.1:${await freePort()}`,
      SWITCHYARD_HTTP_PORT_2: `127.0.0.1:${data2}`,
      SWITCHYARD_HTTPS_PORT_2: `127.0.0.1:${await freePort()}`,
      SWITCHYARD_NETWORK: PROJECT,
      SWITCHYARD_SUBNET_PREFIX: '10.213.71',
    });
    await project.down();
    await project.up();
    for (const port of [data1, data2]) {
      await eventually(
        `the demo app is routed through :${port}`,
        async () => (await get(port, 'whoami.localhost').catch(() => ({ status: 0 }))).status === 200,
        90_000,
      );
    }
  });

  after(async () => {
    await project?.down();
  });

  /** The control nodes whose last election event is being elected. */
  async function controllers(): Promise<string[]> {
    const found: string[] = [];
    for (const service of CONTROL) {
      const logs = await project.logs(service).catch(() => '');
      if (logs.lastIndexOf(ELECTED) > logs.lastIndexOf(DEPOSED)) found.push(service);
    }
    return found;
  }

  test('the three control nodes form one cluster with one controller', async () => {
    // The second and third join one at a time, each paced by etcd's 5 s reconfiguration guard.
    const clusters = new Map<string, string>();
    await eventually(
      'all three control nodes ready',
      async () => {
        for (const service of CONTROL) {
          const id = /control node ready .*clusterId="([^"]+)"/.exec(await project.logs(service))?.[1];
          if (id !== undefined) clusters.set(service, id);
        }
        return clusters.size === CONTROL.length;
      },
      90_000,
    );
    assert.equal(new Set(clusters.values()).size, 1, JSON.stringify(Object.fromEntries(clusters)));
    await eventually('one controller', async () => (await controllers()).length === 1, 10_000);
    // The node that created the cluster wrote the admin credentials to the shared volume.
    await eventually(
      'list-nodes shows every node ready',
      async () => {
        const { stdout } = await project.exec('control-2', [
          'switchyard',
          'list-nodes',
          '--mtlscertsdir=/var/lib/switchyard-admin',
          '--output=json',
        ]);
        const view = JSON.parse(stdout) as { nodes: { id: string; role: string; status: string }[] };
        const ready = view.nodes.filter((n) => n.status === 'READY').map((n) => `${n.role} ${n.id}`);
        return (
          JSON.stringify(ready.sort()) ===
          JSON.stringify([
            'control control-1',
            'control control-2',
            'control control-3',
            'data data-1',
            'data data-2',
          ])
        );
      },
      20_000,
    );
  });

  /**
   * Runs `step` under steady load through the given ports and returns every reply. The load
   * stops whatever the step does: its timer would otherwise keep the test process alive.
   */
  async function underLoad(
    ports: readonly number[],
    step: () => Promise<void>,
  ): Promise<{ status: number }[]> {
    const loads = ports.map((port) => steadyLoad(through(port), 'whoami.localhost', 40));
    const outcome = await step().then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    const results = await Promise.all(loads.map((load) => load.stop()));
    if (outcome !== undefined) throw outcome.error;
    return results.flatMap((r) => r.replies);
  }

  test('kill -9 of the controller’s container under steady load: no request fails, another node takes over', async (t) => {
    const [controller] = await controllers();
    assert.ok(controller);
    const sent = await underLoad([data1, data2], async () => {
      const killedAt = Date.now();
      await docker(['kill', '-s', 'KILL', await project.container(controller)]);
      await eventually(
        'another control node is elected',
        async () => (await controllers()).some((c) => c !== controller),
        30_000,
      );
      t.diagnostic(`another controller logged its election ${Date.now() - killedAt} ms after the kill`);
      // The new controller runs the providers: a container started now gets routed.
      await docker([
        'run',
        '-d',
        '--name',
        `${PROJECT}-late`,
        '--network',
        PROJECT,
        '--label',
        `com.docker.compose.project=${PROJECT}`,
        '--label',
        'traefik.enable=true',
        '--label',
        'traefik.http.routers.late.rule=Host(`late.localhost`)',
        'switchyard/whoami:latest',
      ]);
      for (const port of [data1, data2]) {
        await eventually(
          `the late container is routed through :${port}`,
          async () => (await get(port, 'late.localhost')).status === 200,
          30_000,
        );
      }
    });
    const failed = sent.filter((r) => r.status !== 200);
    t.diagnostic(`${sent.length} requests during the failover, ${failed.length} failed`);
    assert.ok(sent.length > 100, `only ${sent.length} requests were sent`);
    assert.deepEqual(failed.slice(0, 5), []);
    // The killed node comes back with its state: its log (the same container's) then holds
    // a second "ready", after a restart.
    await docker(['start', await containerOf(controller)]);
    await eventually(
      `${controller} restarts from its state and is ready again`,
      async () => {
        const logs = await project.logs(controller);
        return (
          /found cluster state: restarting/.test(logs) &&
          (logs.match(/control node ready/g) ?? []).length >= 2
        );
      },
      60_000,
    );
  });

  test('removing a data node leaves the other serving every request', async (t) => {
    const sent = await underLoad([data1], async () => {
      await docker(['rm', '-f', await project.container('data-2')]);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    });
    const failed = sent.filter((r) => r.status !== 200);
    t.diagnostic(`${sent.length} requests while data-2 was removed, ${failed.length} failed`);
    assert.ok(sent.length > 50);
    assert.deepEqual(failed.slice(0, 5), []);
    await assert.rejects(get(data2, 'whoami.localhost', '/', 2_000));
  });

  /** The container of a service, stopped or not. */
  async function containerOf(service: string): Promise<string> {
    const { stdout } = await docker([
      'ps',
      '-aq',
      '--filter',
      `label=com.docker.compose.project=${PROJECT}`,
      '--filter',
      `label=com.docker.compose.service=${service}`,
    ]);
    const id = stdout.split('\n')[0]?.trim();
    if (!id) throw new Error(`no container for ${service}`);
    return id;
  }
});
