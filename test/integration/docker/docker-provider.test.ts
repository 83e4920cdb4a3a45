import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type Dockerode from 'dockerode';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { PassThrough } from 'node:stream';
import { StaticConfig } from '../../../src/config/static/index.js';
import {
  createDockerApi,
  DockerProvider,
  type DockerApi,
  type DockerProviderOptions,
} from '../../../src/providers/docker/index.js';
import {
  addressOn,
  ensureTestImage,
  exec,
  openEngine,
  removeTestObjects,
  SOCKET,
  startHttpd,
  testLabels,
} from '../support/docker.js';
import { selfSigned } from '../dataplane/harness.js';
import { eventually, Recorder, startRouting, type Routing } from './harness.js';

// The Docker provider against a real engine: containers started here, routed through a
// Controller and a DataPlane on 127.0.0.1 to their bridge addresses. Each test labels its
// containers with its own case and constrains its provider to them, so tests do not see
// each other's containers (nor anything else on the engine).

const SUITE = 'docker';
const engine = await openEngine();
const skip = 'skip' in engine ? engine.skip : false;
if (skip) console.log(`# skipping the Docker provider suite: ${skip}`);

describe('Docker provider against a real engine', { skip }, () => {
  const docker = 'docker' in engine ? engine.docker : (undefined as unknown as Dockerode);
  let routing: Routing;

  before(async () => {
    await ensureTestImage(docker);
    await removeTestObjects(docker, SUITE);
    routing = await startRouting();
  });
  after(async () => {
    await routing?.close();
    await removeTestObjects(docker, SUITE);
  });

  const caseLabels = (name: string, labels: Record<string, string> = {}) => ({
    'switchyard.test.case': name,
    ...labels,
  });
  const options = (name: string, extra: Record<string, unknown> = {}): DockerProviderOptions =>
    StaticConfig.parse({
      providers: { docker: { constraints: `Label(\`switchyard.test.case\`, \`${name}\`)`, ...extra } },
    }).providers.docker!;

  /**
   * A provider for one case, recorded and stopped after the test. Only the first of a test
   * feeds the shared controller: providers of one name replace each other's configuration.
   */
  async function provide(
    t: TestContext,
    name: string,
    extra: Record<string, unknown> = {},
    api?: DockerApi,
    routed = true,
  ) {
    const recorder = new Recorder(routed ? routing.controller.receive : undefined);
    const opts = options(name, extra);
    const provider = new DockerProvider(opts, { resyncMs: 60_000 }, api ?? createDockerApi(opts));
    await provider.start(recorder.emit);
    t.after(() => provider.stop());
    return recorder;
  }

  const httpd = (options: Parameters<typeof startHttpd>[2]) => startHttpd(docker, SUITE, options);
  const served = (host: string, body: string) => async () => {
    const reply = await routing.get(host);
    return reply.status === 200 && reply.body === body;
  };

  test('a labelled container is routed; one without labels gets the automatic service and the default rule', async (t) => {
    const labelled = await httpd({
      name: 'sy-docker-c1-labelled',
      labels: caseLabels('c1', { 'traefik.http.routers.shop.rule': 'Host(`shop.test`)' }),
    });
    await httpd({ name: 'sy-docker-c1-plain', labels: caseLabels('c1') });
    const recorder = await provide(t, 'c1');
    const ip = await addressOn(labelled, 'bridge');

    assert.deepEqual(Object.keys(recorder.config.http.routers).sort(), ['shop', 'sy-docker-c1-plain']);
    assert.deepEqual(recorder.config.http.routers.shop, {
      rule: 'Host(`shop.test`)',
      service: 'sy-docker-c1-labelled',
    });
    assert.deepEqual(recorder.urls('sy-docker-c1-labelled'), [`http://${ip}:80`]);
    assert.equal(recorder.config.http.routers['sy-docker-c1-plain']?.rule, 'Host(`sy-docker-c1-plain`)');
    await eventually(
      'shop.test answered by the labelled container',
      served('shop.test', 'sy-docker-c1-labelled'),
    );
    await eventually('the default rule answered', served('sy-docker-c1-plain', 'sy-docker-c1-plain'));
  });

  test('traefik.enable=false hides a container; with exposedByDefault=false only traefik.enable=true shows', async (t) => {
    await httpd({ name: 'sy-docker-c2-off', labels: caseLabels('c2', { 'traefik.enable': 'false' }) });
    await httpd({ name: 'sy-docker-c2-plain', labels: caseLabels('c2') });
    await httpd({ name: 'sy-docker-c2-on', labels: caseLabels('c2', { 'traefik.enable': 'true' }) });
    const byDefault = await provide(t, 'c2');
    const optIn = await provide(t, 'c2', { exposedByDefault: false }, undefined, false);
    assert.deepEqual(Object.keys(byDefault.config.http.routers).sort(), [
      'sy-docker-c2-on',
      'sy-docker-c2-plain',
    ]);
    assert.deepEqual(Object.keys(optIn.config.http.routers), ['sy-docker-c2-on']);
  });

  test('a stopped container leaves the configuration on its stop signal, before its process exits', async (t) => {
    const slow = await httpd({
      name: 'sy-docker-c3-slow',
      labels: caseLabels('c3', { 'traefik.http.routers.slow.rule': 'Host(`slow.test`)' }),
      exitDelayS: 2,
    });
    await httpd({
      name: 'sy-docker-c3-other',
      labels: caseLabels('c3', { 'traefik.http.routers.other.rule': 'Host(`other.test`)' }),
    });
    const recorder = await provide(t, 'c3');
    await eventually('slow.test served', served('slow.test', 'sy-docker-c3-slow'));

    const stopAt = performance.now();
    const exited = slow.wait().then(() => performance.now());
    const stopped = slow.stop({ t: 20 });
    await eventually('the router gone', () => !('slow' in recorder.config.http.routers));
    const droppedAt = recorder.messages.find(
      (m) => m.at > stopAt && !('slow' in m.message.config.http.routers),
    )!.at;
    const exitedAt = await exited;
    await stopped;
    t.diagnostic(
      `dropped ${Math.round(droppedAt - stopAt)} ms after docker stop; the process exited ${Math.round(exitedAt - stopAt)} ms after`,
    );
    assert.ok(droppedAt < exitedAt - 1000, 'the container left the load balancer well before it exited');
    assert.ok('other' in recorder.config.http.routers, 'the other container stays');
    await eventually(
      'slow.test no longer routed',
      async () => (await routing.get('slow.test')).status === 404,
    );
  });

  test('health_status: routed only while healthy, or kept empty (503) with allowEmptyServices', async (t) => {
    const checked = await httpd({
      name: 'sy-docker-c4-checked',
      labels: caseLabels('c4', { 'traefik.http.routers.checked.rule': 'Host(`checked.test`)' }),
      healthcheck: true,
    });
    const lenient = await provide(t, 'c4', { allowEmptyServices: true });
    const strict = await provide(t, 'c4', {}, undefined, false);
    const inspectHealth = async () => (await checked.inspect()).State.Health?.Status;
    await eventually('unhealthy', async () => (await inspectHealth()) === 'unhealthy');
    await eventually('strict: no router', () => Object.keys(strict.config.http.routers).length === 0);
    await eventually('lenient: an empty service', () => lenient.urls('sy-docker-c4-checked').length === 0);
    assert.ok('checked' in lenient.config.http.routers);
    await eventually('503 while unhealthy', async () => (await routing.get('checked.test')).status === 503);

    await exec(checked, ['touch', '/www/healthy']);
    const ip = await addressOn(checked, 'bridge');
    await eventually(
      'strict: routed once healthy',
      () => strict.urls('sy-docker-c4-checked')[0] === `http://${ip}:80`,
    );
    await eventually(
      'lenient: a server once healthy',
      () => lenient.urls('sy-docker-c4-checked').length === 1,
    );
    await eventually('served once healthy', served('checked.test', 'sy-docker-c4-checked'));

    await exec(checked, ['rm', '/www/healthy']);
    await eventually('strict: gone once unhealthy', () => !('checked' in strict.config.http.routers));
    await eventually('lenient: empty again', () => lenient.urls('sy-docker-c4-checked').length === 0);
  });

  test('a paused container is out of its load balancer until unpaused', async (t) => {
    const paused = await httpd({
      name: 'sy-docker-c5-paused',
      labels: caseLabels('c5', { 'traefik.http.routers.paused.rule': 'Host(`paused.test`)' }),
    });
    const recorder = await provide(t, 'c5');
    assert.ok('paused' in recorder.config.http.routers);
    await paused.pause();
    await eventually('gone while paused', () => !('paused' in recorder.config.http.routers));
    await paused.unpause();
    await eventually('back once unpaused', () => 'paused' in recorder.config.http.routers);
  });

  test('two networks: traefik.docker.network picks the address, and joining it later moves the server', async (t) => {
    const [front, back] = ['sy-docker-c6-front', 'sy-docker-c6-back'];
    for (const name of [front, back]) await docker.createNetwork({ Name: name, Labels: testLabels(SUITE) });
    const app = await httpd({
      name: 'sy-docker-c6-app',
      network: front,
      labels: caseLabels('c6', {
        'traefik.docker.network': back,
        'traefik.http.routers.app.rule': 'Host(`app.test`)',
      }),
    });
    const plain = await httpd({ name: 'sy-docker-c6-plain', network: front, labels: caseLabels('c6') });
    await docker.getNetwork(back).connect({ Container: plain.id });
    const labelled = await provide(t, 'c6');
    const byOption = await provide(t, 'c6', { network: back }, undefined, false);

    // Not on the named network yet: Traefik falls back to the container's other network.
    assert.deepEqual(labelled.urls('sy-docker-c6-app'), [`http://${await addressOn(app, front)}:80`]);
    // On both, with no choice made: the first network by name (Traefik takes a Go map's first).
    assert.deepEqual(labelled.urls('sy-docker-c6-plain'), [`http://${await addressOn(plain, back)}:80`]);
    assert.deepEqual(byOption.urls('sy-docker-c6-plain'), [`http://${await addressOn(plain, back)}:80`]);

    await docker.getNetwork(back).connect({ Container: app.id });
    const onBack = `http://${await addressOn(app, back)}:80`;
    await eventually(
      'the server moved to the back network',
      () => labelled.urls('sy-docker-c6-app')[0] === onBack,
    );
    await eventually('app.test served over the back network', served('app.test', 'sy-docker-c6-app'));
  });

  test('compose replicas (same project and service labels) are one load balancer', async (t) => {
    const compose = { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' };
    const rule = { 'traefik.http.routers.web.rule': 'Host(`web.test`)' };
    for (const n of [1, 2]) {
      await httpd({ name: `sy-docker-c7-web-${n}`, labels: caseLabels('c7', { ...compose, ...rule }) });
    }
    const recorder = await provide(t, 'c7');
    assert.deepEqual(Object.keys(recorder.config.http.services), ['web-shop']);
    assert.equal(recorder.urls('web-shop').length, 2);
    const seen = new Set<string>();
    await eventually('both replicas answer', async () => {
      const reply = await routing.get('web.test');
      if (reply.status === 200) seen.add(reply.body);
      return seen.size === 2;
    });
    assert.deepEqual([...seen].sort(), ['sy-docker-c7-web-1', 'sy-docker-c7-web-2']);
  });

  test('a container with bad labels is reported by name; the others keep serving', async (t) => {
    await httpd({
      name: 'sy-docker-c8-bad',
      labels: caseLabels('c8', {
        'traefik.http.routers.bad.rule': 'Host(`bad.test`)',
        'traefik.http.services.bad.loadbalancer.server.port': 'http',
      }),
    });
    await httpd({
      name: 'sy-docker-c8-good',
      labels: caseLabels('c8', { 'traefik.http.routers.good.rule': 'Host(`good.test`)' }),
    });
    const recorder = await provide(t, 'c8');
    assert.deepEqual(
      recorder.last.errors.map((e) => [e.code, e.path]),
      [['CONFIG_INVALID', 'container sy-docker-c8-bad: traefik.http.services.bad.loadbalancer.server.port']],
    );
    await eventually('good.test served', served('good.test', 'sy-docker-c8-good'));
    await eventually('the error reaches the controller', () =>
      routing.controller.currentErrors().some((e) => e.path.includes('sy-docker-c8-bad')),
    );
  });

  test('events stream closed: reconnects and reads everything again; an engine that fails keeps the last configuration', async (t) => {
    const real = createDockerApi(options('c9'));
    const streams: PassThrough[] = [];
    let eventsOpen = true;
    let readsFail = false;
    let lastReadAt = Date.now();
    const api: DockerApi = {
      ...real,
      listContainerIds: () => {
        lastReadAt = Date.now();
        return readsFail ? Promise.reject(new Error('engine away (test)')) : real.listContainerIds();
      },
      async events(filters, signal) {
        if (!eventsOpen) throw new Error('events refused (test)');
        // Between the engine's stream and the provider, so that the test can cut it.
        const upstream = await real.events(filters, signal);
        const cut = new PassThrough();
        upstream.pipe(cut);
        cut.on('close', () => (upstream as PassThrough).destroy());
        streams.push(cut);
        return cut;
      },
    };
    const recorder = await provide(t, 'c9', {}, api);
    await eventually('the stream is open', () => streams.length >= 1);
    // The read each (re)connection starts must be over before the cut, or it could list the
    // container started below and the test would prove nothing about reconnecting.
    await eventually('reads settled', () => Date.now() - lastReadAt > 500);
    assert.deepEqual(Object.keys(recorder.config.http.routers), []);

    // Cut the stream and keep it shut: a container started meanwhile sends its event to nobody.
    eventsOpen = false;
    // Every stream opened so far: under load the provider may have reconnected already.
    for (const stream of streams) stream.destroy();
    await httpd({
      name: 'sy-docker-c9-late',
      labels: caseLabels('c9', { 'traefik.http.routers.late.rule': 'Host(`late.test`)' }),
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(Object.keys(recorder.config.http.routers), [], 'unseen while disconnected');
    eventsOpen = true;
    await eventually('seen after reconnecting', () => 'late' in recorder.config.http.routers, 15_000);
    assert.ok(streams.length >= 2, 'a new stream was opened');

    // Reads failing: the configuration stays, with the error beside it, until they work again.
    readsFail = true;
    await docker.getContainer('sy-docker-c9-late').pause();
    await eventually('the failure reported', () =>
      recorder.last.errors.some((e) => e.code === 'PROVIDER_UNAVAILABLE'),
    );
    assert.ok('late' in recorder.config.http.routers, 'the last configuration stays in force');
    readsFail = false;
    await eventually(
      'recovered',
      () => recorder.last.errors.length === 0 && !('late' in recorder.config.http.routers),
    );
  });

  test('a tcp endpoint with TLS: the engine certificate checked, the client certificate presented', async (t) => {
    // A TLS front for the engine's socket on 127.0.0.1, requiring a client certificate, as
    // dockerd --tlsverify does.
    const server = await selfSigned(['localhost']);
    const sockets = new Set<net.Socket>();
    const client = await selfSigned(['switchyard-client']);
    const front = tls.createServer(
      { ...server, ca: client.cert, requestCert: true, rejectUnauthorized: true },
      (socket) => {
        sockets.add(socket);
        const engine = net.connect(SOCKET);
        socket.pipe(engine).pipe(socket);
        // Either side gone ends the other: a connection left open would keep this process alive.
        socket.on('close', () => {
          sockets.delete(socket);
          engine.destroy();
        });
        engine.on('close', () => socket.destroy());
        socket.on('error', () => engine.destroy());
        engine.on('error', () => socket.destroy());
      },
    );
    front.listen(0, '127.0.0.1');
    await once(front, 'listening');
    t.after(async () => {
      const closed = new Promise((resolve) => front.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    });
    const endpoint = `tcp://localhost:${(front.address() as net.AddressInfo).port}`;
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-docker-tls-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    for (const [file, pem] of [
      ['ca.pem', server.cert],
      ['cert.pem', client.cert],
      ['key.pem', client.key],
    ] as const) {
      await writeFile(join(dir, file), pem);
    }
    await httpd({
      name: 'sy-docker-c11-tls',
      labels: caseLabels('c11', { 'traefik.http.routers.tls.rule': 'Host(`tls.test`)' }),
    });

    const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
    const cases = [
      { desc: 'files', tls: files, routed: true },
      { desc: 'PEM text', tls: { ca: server.cert, cert: client.cert, key: client.key }, routed: true },
      {
        desc: 'insecureSkipVerify, no CA',
        tls: { cert: client.cert, key: client.key, insecureSkipVerify: true },
        routed: true,
      },
      { desc: 'no client certificate', tls: { ca: server.cert }, routed: false },
      {
        desc: 'an engine certificate from another CA',
        tls: { ca: client.cert, cert: client.cert, key: client.key },
        routed: false,
      },
    ];
    for (const c of cases) {
      const recorder = await provide(t, 'c11', { endpoint, tls: c.tls, watch: false }, undefined, false);
      assert.equal('tls' in recorder.config.http.routers, c.routed, c.desc);
      const errors = recorder.last.errors.map((e) => e.code);
      assert.deepEqual(errors, c.routed ? [] : ['PROVIDER_UNAVAILABLE'], c.desc);
    }
  });

  test('an engine that accepts and never answers holds up neither start nor stop', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-docker-hang-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const held = new Set<net.Socket>();
    const silent = net.createServer((socket) => held.add(socket));
    silent.listen(join(dir, 'docker.sock'));
    await once(silent, 'listening');
    t.after(async () => {
      const closed = new Promise((resolve) => silent.close(resolve));
      for (const socket of held) socket.destroy();
      await closed;
    });
    const recorder = new Recorder();
    const provider = new DockerProvider(options('c12', { endpoint: `unix://${join(dir, 'docker.sock')}` }), {
      startWaitMs: 200,
    });
    const startedAt = performance.now();
    await provider.start(recorder.emit);
    assert.ok(performance.now() - startedAt < 2_000, 'start returned');
    assert.match(recorder.last.errors[0]?.detail ?? '', /no answer within 200 ms/);
    const stoppingAt = performance.now();
    await provider.stop();
    assert.ok(performance.now() - stoppingAt < 2_000, 'stop returned');
  });

  test('an engine that never answers: the first message is empty, with the error', async (t) => {
    const recorder = new Recorder();
    const provider = new DockerProvider(
      options('c10', { endpoint: 'unix:///tmp/switchyard-no-such-docker.sock' }),
    );
    await provider.start(recorder.emit);
    t.after(() => provider.stop());
    assert.deepEqual(recorder.config.http.routers, {});
    assert.deepEqual(
      recorder.last.errors.map((e) => [e.code, e.path]),
      [['PROVIDER_UNAVAILABLE', 'providers.docker']],
    );
    assert.match(recorder.last.errors[0]!.detail, /unix:\/\/\/tmp\/switchyard-no-such-docker\.sock/);
  });
});
