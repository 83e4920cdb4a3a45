import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { openEngine } from '../integration/support/docker.js';
import { freePort } from '../integration/support/etcd.js';
import { eventually } from '../integration/docker/harness.js';
import { ComposeProject, docker, missingImages } from './support/docker-cli.js';
import { get, getTls, servedBy } from './support/http.js';

// compose/quickstart.yml as a user runs it: `up`, then requests to the published ports.
// The ports are published on 127.0.0.1 only, and every request goes there.

const PROJECT = 'sy-e2e-quickstart';
const TARGET_MS = 20_000;

const engine = await openEngine();
const skip = 'skip' in engine ? engine.skip : await missingImages();
if (skip) console.log(`# skipping the quickstart suite: ${skip}`);

describe('compose/quickstart.yml', { skip, timeout: 240_000 }, () => {
  let project: ComposeProject;
  let http: number;
  let https: number;
  let upToRoutedMs: number;

  before(async () => {
    [http, https] = [await freePort(), await freePort()];
    project = new ComposeProject(PROJECT, ['compose/quickstart.yml'], {
      SWITCHYARD_HTTP_PORT: `127.0.0.1:${http}`,
      SWITCHYARD_HTTPS_PORT: `127.0.0.1:${https}`,
      SWITCHYARD_NETWORK: PROJECT,
      SWITCHYARD_SUBNET_PREFIX: '10.213.61',
    });
    await project.down();
    const started = performance.now();
    await project.up();
    await eventually(
      'the demo app is routed',
      async () => (await get(http, 'whoami.localhost').catch(() => ({ status: 0 }))).status === 200,
      60_000,
    );
    upToRoutedMs = performance.now() - started;
  });

  after(async () => {
    await project?.down();
  });

  test(`from up to the first routed request within ${TARGET_MS / 1000} s`, (t) => {
    t.diagnostic(`up → first routed request: ${Math.round(upToRoutedMs)} ms`);
    assert.ok(upToRoutedMs < TARGET_MS, `${Math.round(upToRoutedMs)} ms`);
  });

  test('the labelled container is served over HTTP and HTTPS; other hosts get 404', async () => {
    const plain = await get(http, 'whoami.localhost', '/hello');
    assert.equal(plain.status, 200);
    assert.match(plain.body, /^GET \/hello HTTP\/1\.1$/m);
    assert.ok(servedBy(plain.body));
    const secure = await getTls(https, 'whoami.localhost');
    assert.equal(secure.status, 200);
    assert.equal((await get(http, 'nobody.localhost')).status, 404);
  });

  test('list-nodes (admin credentials from the state volume) shows both nodes ready', async () => {
    const { stdout } = await project.exec('control', [
      'switchyard',
      'list-nodes',
      '--mtlscertsdir=/var/lib/switchyard/admin',
      '--output=json',
    ]);
    const view = JSON.parse(stdout) as { nodes: { id: string; role: string; status: string }[] };
    const byId = new Map(view.nodes.map((n) => [n.id, n]));
    assert.deepEqual(
      { control: byId.get('control')?.role, data: byId.get('data')?.role },
      { control: 'control', data: 'data' },
    );
    assert.deepEqual([byId.get('control')?.status, byId.get('data')?.status], ['READY', 'READY']);
  });

  test('a container with bad labels is reported by the controller; the others keep serving', async () => {
    const network = await project.network();
    await docker([
      'run',
      '-d',
      '--name',
      `${PROJECT}-bad`,
      '--network',
      network,
      // So that the project's clean-up finds it.
      '--label',
      `com.docker.compose.project=${PROJECT}`,
      '--label',
      'traefik.enable=true',
      '--label',
      'traefik.http.routers.bad.rule=Host(`bad.localhost`',
      'switchyard/whoami:latest',
    ]);
    await docker([
      'run',
      '-d',
      '--name',
      `${PROJECT}-good`,
      '--network',
      network,
      '--label',
      `com.docker.compose.project=${PROJECT}`,
      '--label',
      'traefik.enable=true',
      '--label',
      'traefik.http.routers.good.rule=Host(`good.localhost`)',
      'switchyard/whoami:latest',
    ]);
    await eventually(
      'the good container is routed',
      async () => (await get(http, 'good.localhost')).status === 200,
      20_000,
    );
    await eventually(
      'the bad router is reported',
      async () => /ERR.*routers\.bad@docker.*rule/.test(await project.logs('control')),
      10_000,
    );
    assert.equal((await get(http, 'whoami.localhost')).status, 200);
    assert.equal((await get(http, 'bad.localhost')).status, 404);
  });

  test('a data node given a wrong token refuses to start and names the token', async () => {
    const network = await project.network();
    const { stdout } = await project.exec('control', [
      'sed',
      '-n',
      's/^DATA_NODE_TOKEN=//p',
      '/var/lib/switchyard-tokens/tokens.env',
    ]);
    const token = stdout.trim();
    // One letter of the secret changed: well formed, pinning the right CA, never issued.
    const at = token.length - 10;
    const wrong = `${token.slice(0, at)}${token[at] === 'a' ? 'b' : 'a'}${token.slice(at + 1)}`;
    const failure = await docker(
      [
        'run',
        '--rm',
        '--network',
        network,
        'switchyard/data:latest',
        'start-data-node',
        '--config=/etc/switchyard/data.yml',
        '--peeraddresses=control',
        `--token=${wrong}`,
        '--timeout=30',
      ],
      60_000,
    ).then(
      () => undefined,
      (error: Error) => error.message,
    );
    assert.ok(failure !== undefined, 'the data node started with a wrong token');
    assert.match(failure, /NODE_JOIN_FAILED: .*TOKEN_UNKNOWN: token: was not issued by this cluster/);
  });

  test('with the control node stopped, the data node keeps serving, and serves from its cache after a restart', async () => {
    const control = await project.container('control');
    const data = await project.container('data');
    await docker(['stop', '-t', '5', control]);
    try {
      assert.equal((await get(http, 'whoami.localhost')).status, 200);
      await docker(['restart', '-t', '5', data]);
      await eventually(
        'the restarted data node serves',
        async () => (await get(http, 'whoami.localhost')).status === 200,
        20_000,
      );
    } finally {
      await docker(['start', control]);
    }
  });

  test('a data port already taken on the host: `up` fails and names it', async () => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const port = (holder.address() as { port: number }).port;
    const clash = new ComposeProject(`${PROJECT}-clash`, ['compose/quickstart.yml'], {
      SWITCHYARD_HTTP_PORT: `127.0.0.1:${port}`,
      SWITCHYARD_HTTPS_PORT: `127.0.0.1:${await freePort()}`,
      SWITCHYARD_NETWORK: `${PROJECT}-clash`,
      SWITCHYARD_SUBNET_PREFIX: '10.213.62',
    });
    try {
      const failure = await clash.run(['up', '-d', '--no-deps', 'data']).then(
        () => undefined,
        (error: Error) => error.message,
      );
      assert.ok(failure !== undefined, 'up succeeded on a taken port');
      assert.match(failure, new RegExp(`${port}`));
    } finally {
      holder.close();
      await clash.down();
    }
  });
});

describe('the control image without the Docker socket', { skip, timeout: 120_000 }, () => {
  const name = `${PROJECT}-nosocket`;
  after(async () => {
    await docker(['rm', '-f', '-v', name]).catch(() => undefined);
  });

  test('says the socket is missing, and stays healthy', async () => {
    await docker(['rm', '-f', '-v', name]).catch(() => undefined);
    await docker([
      'run',
      '-d',
      '--name',
      name,
      'switchyard/control:latest',
      'bootstrap',
      '--config=/etc/switchyard/control.yml',
    ]);
    await eventually(
      'the control node is healthy',
      async () =>
        (await docker(['inspect', '-f', '{{.State.Health.Status}}', name])).stdout.trim() === 'healthy',
      60_000,
    );
    const { stdout, stderr } = await docker(['logs', name]);
    assert.match(`${stdout}${stderr}`, /docker\.sock/);
  });
});
