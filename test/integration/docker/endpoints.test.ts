import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Dockerode from 'dockerode';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StaticConfig } from '../../../src/config/static/index.js';
import { DockerProvider } from '../../../src/providers/docker/index.js';
import {
  addressOn,
  ensureTestImage,
  openEngine,
  removeTestObjects,
  SOCKET,
  startHttpd,
} from '../support/docker.js';
import { eventually, Recorder } from './harness.js';

// providers.docker.endpoints against a real engine reached two ways: its own socket, and
// a second unix socket that forwards every connection to it. The provider sees two engines
// holding the same containers, which is what two hosts running alike containers look like.

const SUITE = 'docker-endpoints';
const engine = await openEngine();
const skip = 'skip' in engine ? engine.skip : false;

/** A unix socket at `path` that pipes each connection to the engine's socket. */
async function forwarder(path: string): Promise<net.Server> {
  const server = net.createServer((client) => {
    const upstream = net.connect(SOCKET);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  server.listen(path);
  await once(server, 'listening');
  return server;
}

describe('Docker provider with several endpoints', { skip }, () => {
  const docker = 'docker' in engine ? engine.docker : (undefined as unknown as Dockerode);
  let dir: string;
  let server: net.Server;
  let second: string;

  before(async () => {
    await ensureTestImage(docker);
    await removeTestObjects(docker, SUITE);
    dir = await mkdtemp(join(tmpdir(), 'sy-endpoints-'));
    server = await forwarder(join(dir, 'docker.sock'));
    second = `unix://${join(dir, 'docker.sock')}`;
  });
  after(async () => {
    server?.close();
    await removeTestObjects(docker, SUITE);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('both engines are read; alike services merge, different definitions conflict naming endpoint/container', async (t) => {
    const labels = (extra: Record<string, string>) => ({ 'switchyard.test.case': 'e1', ...extra });
    const shared = await startHttpd(docker, SUITE, {
      name: 'sy-endpoints-shared',
      labels: labels({ 'traefik.http.routers.shared.rule': 'Host(`shared.test`)' }),
    });
    await startHttpd(docker, SUITE, {
      name: 'sy-endpoints-a',
      labels: labels({ 'traefik.http.routers.clash.rule': 'Host(`a.test`)' }),
    });
    await startHttpd(docker, SUITE, {
      name: 'sy-endpoints-b',
      labels: labels({ 'traefik.http.routers.clash.rule': 'Host(`b.test`)' }),
    });
    const first = `unix://${SOCKET}`;
    const options = StaticConfig.parse({
      providers: {
        docker: {
          constraints: 'Label(`switchyard.test.case`, `e1`)',
          endpoints: [{ endpoint: first }, { endpoint: second }],
        },
      },
    }).providers.docker!;
    const recorder = new Recorder();
    const provider = new DockerProvider(options, { resyncMs: 60_000 });
    await provider.start(recorder.emit);
    t.after(() => provider.stop());

    // The same container seen through both engines: one router, one server.
    const ip = await addressOn(shared, 'bridge');
    assert.ok('shared' in recorder.config.http.routers);
    assert.deepEqual(recorder.urls('sy-endpoints-shared'), [`http://${ip}:80`]);
    // Each container's automatic service is there.
    for (const name of ['sy-endpoints-a', 'sy-endpoints-b']) assert.ok(name in recorder.config.http.services);

    // Two definitions of one router: left out, every defining container named with its engine.
    assert.ok(!('clash' in recorder.config.http.routers));
    const conflict = recorder.last.errors.find((e) => e.path === 'http.routers.clash');
    assert.equal(conflict?.code, 'CONFIG_CONFLICT');
    for (const endpoint of [first, second]) {
      for (const name of ['sy-endpoints-a', 'sy-endpoints-b']) {
        assert.ok(
          conflict.detail.includes(`${endpoint}/${name}`),
          `${endpoint}/${name} in ${conflict.detail}`,
        );
      }
    }

    // Events come through the forwarded engine's stream too: a stop shows up.
    await shared.stop({ t: 0 });
    await eventually('the stopped container leaves', () => !('shared' in recorder.config.http.routers));
  });

  test('an engine that cannot be read is reported by endpoint; the other keeps its containers', async (t) => {
    await startHttpd(docker, SUITE, {
      name: 'sy-endpoints-alone',
      labels: { 'switchyard.test.case': 'e2', 'traefik.http.routers.alone.rule': 'Host(`alone.test`)' },
    });
    const missing = `unix://${join(dir, 'missing.sock')}`;
    const options = StaticConfig.parse({
      providers: {
        docker: {
          constraints: 'Label(`switchyard.test.case`, `e2`)',
          endpoints: [{ endpoint: `unix://${SOCKET}` }, { endpoint: missing }],
          watch: false,
        },
      },
    }).providers.docker!;
    const recorder = new Recorder();
    const provider = new DockerProvider(options, { resyncMs: 60_000 });
    await provider.start(recorder.emit);
    t.after(() => provider.stop());
    assert.ok('alone' in recorder.config.http.routers);
    const errors = recorder.last.errors.map((e) => [e.code, e.path, e.detail.includes(missing)]);
    assert.deepEqual(errors, [['PROVIDER_UNAVAILABLE', 'providers.docker.endpoints', true]]);
  });

  test('tls beside endpoints is refused', () => {
    const parsed = StaticConfig.safeParse({
      providers: {
        docker: { endpoints: [{ endpoint: `unix://${SOCKET}` }], tls: { insecureSkipVerify: true } },
      },
    });
    assert.equal(parsed.success, false);
  });
});
