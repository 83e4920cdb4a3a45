import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { isSwarmManager, openEngine } from '../integration/support/docker.js';
import { freePort } from '../integration/support/etcd.js';
import { eventually, steadyLoad, type Routing } from '../integration/docker/harness.js';
import { docker, missingImages, sh } from './support/docker-cli.js';
import { get, servedBy } from './support/http.js';

// compose/stack.yml and stack-data.yml in a single-node swarm (created here unless the
// engine is a manager already, and left again afterwards only then), deployed in the two
// steps docs/getting-started.md gives: the control plane, then the data token as a secret
// and the data nodes. One control node: a single-node swarm cannot hold three (one per
// host, since each keeps its state in the host's volume). The data node publishes its
// ports in host mode; requests go to them on 127.0.0.1 only.

const STACK = 'sy-e2e';
const APP = 'sy-e2e-app';
const suffix = randomBytes(3).toString('hex');
const ENV = {
  SWITCHYARD_CONTROL_NODES: '1',
  SWITCHYARD_NETWORK: `${STACK}-net`,
  SWITCHYARD_BOOTSTRAP_SECRET: `${STACK}-bootstrap-${suffix}`,
  SWITCHYARD_DATA_SECRET: `${STACK}-data-${suffix}`,
};

const engine = await openEngine();
const skip = 'skip' in engine ? engine.skip : await missingImages();
if (skip) console.log(`# skipping the Swarm suite: ${skip}`);

const through = (port: number): Routing =>
  ({ get: (host: string) => get(port, host) }) as Pick<Routing, 'get'> as Routing;

describe('compose/stack.yml in a single-node swarm', { skip, timeout: 420_000 }, () => {
  let createdSwarm = false;
  let http: number;
  let env: Record<string, string>;

  const deploy = (files: readonly string[], stack: string) =>
    sh('docker', ['stack', 'deploy', ...files.flatMap((f) => ['-c', f]), stack], { env, timeoutMs: 120_000 });

  /** The running container of a stack's service on this node. */
  async function containerOf(service: string): Promise<string | undefined> {
    const { stdout } = await docker([
      'ps',
      '-q',
      '--filter',
      `label=com.docker.swarm.service.name=${service}`,
    ]);
    return stdout.split('\n')[0]?.trim() || undefined;
  }

  /** The replicas that answered `count` requests for the app (their hostnames). */
  async function replicasSeen(count: number): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const reply = await get(http, 'app.localhost').catch(() => undefined);
      const by = reply?.status === 200 ? servedBy(reply.body) : undefined;
      if (by !== undefined) seen.add(by);
    }
    return seen;
  }

  const serviceReplicas = async (): Promise<Set<string>> => {
    const { stdout } = await docker([
      'ps',
      '--format',
      '{{.ID}}',
      '--filter',
      `label=com.docker.swarm.service.name=${APP}_whoami`,
    ]);
    // whoami answers with its hostname: the container's short id, as `docker ps` shows it.
    return new Set(stdout.split('\n').filter((id) => id !== ''));
  };

  before(async () => {
    http = await freePort();
    env = { ...ENV, SWITCHYARD_HTTP_PORT: String(http), SWITCHYARD_HTTPS_PORT: String(await freePort()) };
    const { docker: engineClient } = engine as { docker: Parameters<typeof isSwarmManager>[0] };
    if (!(await isSwarmManager(engineClient))) {
      await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1', '--listen-addr', '127.0.0.1:2377']);
      createdSwarm = true;
    }
    await cleanUp();
    await sh('docker', ['secret', 'create', env.SWITCHYARD_BOOTSTRAP_SECRET!, '-'], {
      input: randomBytes(32).toString('hex'),
    });
  });

  after(async () => {
    await cleanUp();
    if (createdSwarm) {
      await docker(['swarm', 'leave', '--force']);
      // Made by `swarm init` for the node's ingress traffic; not needed once out of the swarm.
      await docker(['network', 'rm', 'docker_gwbridge']).catch(() => undefined);
    }
  });

  /** Removes both stacks, their secrets and volumes; waits for their containers to go. */
  async function cleanUp(): Promise<void> {
    await docker(['stack', 'rm', APP]).catch(() => undefined);
    await docker(['stack', 'rm', STACK]).catch(() => undefined);
    await eventually(
      'the stacks’ containers are gone',
      async () =>
        (
          await docker(['ps', '-aq', '--filter', `label=com.docker.stack.namespace=${STACK}`])
        ).stdout.trim() === '',
      60_000,
    );
    for (const secret of [env?.SWITCHYARD_BOOTSTRAP_SECRET, env?.SWITCHYARD_DATA_SECRET]) {
      if (secret) await docker(['secret', 'rm', secret]).catch(() => undefined);
    }
    const { stdout } = await docker([
      'volume',
      'ls',
      '-q',
      '--filter',
      `label=com.docker.stack.namespace=${STACK}`,
    ]);
    const volumes = stdout.split('\n').filter((v) => v !== '');
    if (volumes.length > 0) await docker(['volume', 'rm', ...volumes]);
    await eventually(
      'the overlay network is gone',
      async () => {
        await docker(['network', 'rm', ENV.SWITCHYARD_NETWORK]).catch(() => undefined);
        return !(await docker(['network', 'ls', '--format', '{{.Name}}'])).stdout
          .split('\n')
          .includes(ENV.SWITCHYARD_NETWORK);
      },
      30_000,
    );
  }

  test('the control plane forms, the data token becomes a secret, and the data node joins', async (t) => {
    const started = Date.now();
    await deploy(['compose/stack.yml'], STACK);
    let token = '';
    await eventually(
      'the control node writes the tokens file',
      async () => {
        const control = await containerOf(`${STACK}_control`);
        if (control === undefined) return false;
        const { stdout } = await docker([
          'exec',
          control,
          'sed',
          '-n',
          's/^DATA_NODE_TOKEN=//p',
          '/var/lib/switchyard-tokens/tokens.env',
        ]);
        token = stdout.trim();
        return token !== '';
      },
      90_000,
    );
    await sh('docker', ['secret', 'create', env.SWITCHYARD_DATA_SECRET!, '-'], { input: token });
    await deploy(['compose/stack.yml', 'compose/stack-data.yml'], STACK);
    await deploy(['test/e2e/fixtures/app-stack.yml'], APP);
    await eventually(
      'the app is routed through the data node',
      async () => (await get(http, 'app.localhost').catch(() => ({ status: 0 }))).status === 200,
      120_000,
    );
    t.diagnostic(`stack deploy → first routed request: ${Date.now() - started} ms`);
  });

  test('scaled from 1 to 3, every replica is served', async () => {
    await docker(['service', 'scale', '-d', `${APP}_whoami=3`]);
    await eventually('three replicas run', async () => (await serviceReplicas()).size === 3, 60_000);
    const replicas = await serviceReplicas();
    const seen = new Set<string>();
    await eventually(
      'every replica answers through the data node',
      async () => {
        for (const host of await replicasSeen(6)) seen.add(host);
        return [...replicas].every((id) => seen.has(id));
      },
      30_000,
    );
    assert.deepEqual([...seen].sort(), [...replicas].sort());
  });

  // The replacement task gets a new overlay address: the control node moves its certificate
  // and its etcd member there before it starts, and finds the data node again through the
  // gossip addresses it saved (docs/cluster.md, "A new address").
  test('kill -9 of the control node’s container under steady load: no request fails; the new task takes over', async (t) => {
    const control = await containerOf(`${STACK}_control`);
    const data = await containerOf(`${STACK}_data`);
    assert.ok(control && data);
    const killedAt = new Date().toISOString();
    let logs = '';
    const load = steadyLoad(through(http), 'app.localhost', 40);
    const outcome = await (async () => {
      await docker(['kill', '-s', 'KILL', control]);
      // Swarm starts a new task on the same host, which restarts from the host's volume.
      await eventually(
        'a new control task is ready',
        async () => {
          const next = await containerOf(`${STACK}_control`);
          if (next === undefined || next === control) return false;
          const { stdout, stderr } = await docker(['logs', next]);
          logs = `${stdout}${stderr}`;
          return /control node ready/.test(logs);
        },
        60_000,
      );
      // Steady load a few seconds more, while the data node reconnects.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    })().then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    const { replies } = await load.stop();
    if (outcome !== undefined) throw outcome.error;
    const failed = replies.filter((r) => r.status !== 200);
    t.diagnostic(
      `${replies.length} requests while the control node was killed and replaced, ${failed.length} failed`,
    );
    assert.ok(replies.length > 100);
    assert.deepEqual(failed.slice(0, 5), []);
    const moved = /the advertised address changed.* from=\["([^"]+)"\] to="([^"]+)"/.exec(logs);
    t.diagnostic(moved === null ? 'the new task kept its address' : `moved from ${moved[1]} to ${moved[2]}`);

    // The data node follows it to its new address.
    const distribution = /distribution server listening distribution="([^"]+)"/.exec(logs)?.[1];
    assert.ok(distribution, logs);
    const dataLogsSince = async (since: string): Promise<string> => {
      const { stdout, stderr } = await docker(['logs', '--since', since, data]);
      return `${stdout}${stderr}`;
    };
    await eventually(
      'the data node streams from the new control task',
      async () =>
        (await dataLogsSince(killedAt)).includes(`distribution stream open controlNode="${distribution}"`),
      60_000,
    );

    // The new controller runs the providers, and what it publishes reaches the data node.
    const scaledAt = new Date().toISOString();
    await docker(['service', 'scale', '-d', `${APP}_whoami=2`]);
    await eventually('two replicas run', async () => (await serviceReplicas()).size === 2, 60_000);
    await eventually(
      'the data node applies the configuration published after the scale',
      async () => /configuration applied/.test(await dataLogsSince(scaledAt)),
      60_000,
    );
    const replicas = await serviceReplicas();
    await eventually(
      'only the two remaining replicas are served',
      async () => {
        const served = await replicasSeen(8);
        return served.size === 2 && [...served].every((host) => replicas.has(host));
      },
      60_000,
    );
  });
});
