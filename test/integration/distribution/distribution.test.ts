// Three control nodes and two data nodes, every one a real process on 127.0.0.1: a change
// reaches both data nodes; kill -9 of the control node a data node is attached to, and
// it reconnects elsewhere and catches up; the whole control plane down under steady load,
// with no failed request, a data node restarted meanwhile serving from its cache, and a
// new one started meanwhile joining once the control plane is back;
// `switchyard apply` opening and closing listeners, and a version a data node refuses
// (NACK) leaving the previous one serving and showing in list-nodes; and what a data
// node's certificate may not do.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { callAdminApi } from '../../../src/api/admin/index.js';
import { readCredentials, type Credentials } from '../../../src/cluster/pki/index.js';
import { DataNodeClient } from '../../../src/distribution/index.js';
import { createLogger } from '../../../src/log/index.js';
import { makeCa, makeNode } from '../../unit/pki/fixtures.js';
import { eventually, freePort } from '../standalone/process.js';
import { DistributionCluster, get, HOST, startOrigin } from './harness.js';

const CONTROL = ['cp-1', 'cp-2', 'cp-3'];
/** How long the whole control plane stays down (the issue asks for 60 s). */
const OUTAGE_MS = Number(process.env.SY_DISTRIBUTION_OUTAGE_MS ?? 60_000);

// Routers name `web`: control nodes also know `alt` (the entrypoint `apply` deploys), and
// a router attached to it by default would be an error on every node that lacks it.
const routes = (hosts: readonly string[], origin: string): string =>
  [
    'http:',
    '  routers:',
    ...hosts.map(
      (h) => `    ${h.replace(/\W/g, '-')}: { rule: "Host(\`${h}\`)", service: origin, entryPoints: [web] }`,
    ),
    '  services:',
    `    origin: { loadBalancer: { servers: [{ url: "${origin}" }] } }`,
  ].join('\n');

const servedBy = async (port: number, host: string): Promise<boolean> =>
  (await get(port, host).catch(() => ({ status: 0, body: '' }))).status === 200;

describe('distribution between real control and data node processes', { timeout: 420_000 }, () => {
  let c: DistributionCluster;
  let origin: Awaited<ReturnType<typeof startOrigin>>;
  const edges = ['edge-1', 'edge-2'];
  const webOf = (name: string): number => c.data.get(name)!.web;
  const bothServe = (host: string, ms = 15_000) =>
    Promise.all(edges.map((e) => eventually(() => servedBy(webOf(e), host), ms, `${e} serving ${host}`)));

  const adminApi = async (): Promise<URL> => {
    const up = CONTROL.find((n) => c.isUp(n))!;
    return new URL(`https://${HOST}:${(await c.controlPorts(up)).admin}`);
  };
  const adminCredentials = async (): Promise<Credentials> => {
    const admin = await readCredentials(c.adminDir);
    assert.ok(admin.ok);
    return admin.value;
  };

  before(async () => {
    c = await DistributionCluster.create('sy-dist-');
    origin = await startOrigin('origin');
    await c.writeDynamic('app.yml', routes(['one.test'], origin.url));
    await c.startControlPlane(CONTROL);
  });
  after(async () => {
    await c?.cleanup();
    await origin?.close();
  });

  test('a control token given to start-data-node is refused, naming the token it wants', async () => {
    const wrong = await c.startData('wrong', [
      `--peeraddresses=${await c.joinAddresses()}`,
      `--token=${c.tokens.control}`,
    ]);
    const [code] = (await once(wrong.process.child, 'exit')) as [number | null];
    assert.equal(code, 1);
    assert.ok(wrong.process.lines.some((l) => /TOKEN_WRONG_ROLE/.test(l) && /DATA_NODE_TOKEN/.test(l)));
    c.data.delete('wrong');
  });

  test('two data nodes join (token file and token); a change reaches both', async (t) => {
    const tokenFile = join(c.cluster.root, 'tokens.env');
    const peers = `--peeraddresses=${await c.joinAddresses()}`;
    await c.startData('edge-1', [peers, `--tokenfile=${tokenFile}`]);
    await c.startData('edge-2', [peers, `--token=${c.tokens.data}`]);
    // The file appears after the node started, as a shared volume's would.
    await c.data.get('edge-1')!.process.waitForLine(/waiting for the token file/, 30_000);
    await writeFile(
      tokenFile,
      `export CONTROL_NODE_TOKEN="${c.tokens.control}"\nexport DATA_NODE_TOKEN="${c.tokens.data}"\n`,
    );
    await bothServe('one.test', 60_000);
    const started = Date.now();
    await c.writeDynamic('app.yml', routes(['one.test', 'two.test'], origin.url));
    await bothServe('two.test');
    t.diagnostic(`file change served by both data nodes after ${Date.now() - started} ms`);
  });

  test('list-nodes shows each data node attached to a control node, with the version it serves', async () => {
    await eventually(
      async () => {
        const view = await c.listNodes();
        const data = view.nodes.filter((n) => n.role === 'data');
        return (
          data.length === 2 &&
          data.every((n) => n.attachedTo !== null && CONTROL.includes(n.attachedTo) && n.lastNack === null) &&
          data[0]!.configVersion !== null &&
          data[0]!.configVersion === data[1]!.configVersion
        );
      },
      20_000,
      'both data nodes attached and in step',
    );
    const table = await c.admin(['list-nodes']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /Attached to/);
    assert.match(table.stdout, /edge-1\s+DATA NODE\s+READY\s+\d+\s+cp-\d/);
  });

  test('kill -9 of the control node a data node is attached to: it reconnects elsewhere and catches up', async (t) => {
    const view = await c.listNodes();
    const attached = view.nodes.find((n) => n.id === 'edge-1')!.attachedTo!;
    const killedAt = Date.now();
    await c.killControl(attached);
    await c.writeDynamic('app.yml', routes(['one.test', 'two.test', 'three.test'], origin.url));
    await bothServe('three.test', 30_000);
    t.diagnostic(`${attached} killed; the next change served by both after ${Date.now() - killedAt} ms`);
    await eventually(
      async () => {
        const now = (await c.listNodes()).nodes.find((n) => n.id === 'edge-1');
        return now?.attachedTo !== null && now?.attachedTo !== attached;
      },
      20_000,
      'edge-1 attached to another control node',
    );
    await c.restartControl(attached);
  });

  test('the whole control plane down under steady load: no request fails; a data node restarted meanwhile serves from its cache; one started meanwhile joins once it is back', async (t) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const load = { sent: 0, failed: [] as string[], paused: new Set<string>(), stop: false };
    // Each edge's request in flight, so that pausing an edge can wait for it to end.
    const inflight = new Map<string, Promise<unknown>>();
    const loop = async (edge: string): Promise<void> => {
      while (!load.stop) {
        if (!load.paused.has(edge)) {
          load.sent++;
          const request = get(webOf(edge), 'one.test', '/', agent).catch((err: Error) => ({
            status: 0,
            body: err.message,
          }));
          inflight.set(edge, request);
          const reply = await request;
          if (reply.status !== 200) load.failed.push(`${edge}: ${reply.status} ${reply.body}`);
        }
        await sleep(20);
      }
    };
    const loops = edges.map(loop);
    const peers = `--peeraddresses=${await c.joinAddresses()}`;
    for (const name of CONTROL) await c.killControl(name);
    const downAt = Date.now();
    // A new data node started while no control node answers waits, retrying with backoff.
    const late = await c.startData('edge-3', [peers, `--token=${c.tokens.data}`, '--timeout=300']);
    await late.process.waitForLine(/no control node accepted the join yet: retrying/, 30_000);

    await sleep(Math.min(10_000, OUTAGE_MS / 3));
    load.paused.add('edge-2');
    await inflight.get('edge-2');
    await c.killData('edge-2');
    const restarted = Date.now();
    await c.startData('edge-2');
    await eventually(() => servedBy(webOf('edge-2'), 'three.test'), 30_000, 'edge-2 serving from its cache');
    // From the process's start: most of it is loading the code (tsx transpiles it here).
    const logged = (msg: string): string => {
      const line = c.data.get('edge-2')!.process.lines.find((l) => l.includes(`"msg":"${msg}"`));
      const time = line === undefined ? undefined : (JSON.parse(line) as { time: number }).time;
      return time === undefined ? '-' : `${time - restarted} ms`;
    };
    t.diagnostic(
      `edge-2 restarted without a control plane: state read at ${logged('found data node state: restarting')}, ` +
        `cache served at ${logged('serving the cached configuration')}, answering at ${Date.now() - restarted} ms`,
    );
    load.paused.delete('edge-2');

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
    load.stop = true;
    await Promise.all(loops);
    agent.destroy();
    t.diagnostic(`${load.sent} requests over ${Date.now() - downAt} ms without a control plane`);
    assert.deepEqual(load.failed, []);
    assert.ok(load.sent > 100);

    // Together: each waits for the store, which needs a quorum of them.
    await Promise.all(CONTROL.map((name) => c.restartControl(name)));
    await c.writeDynamic('app.yml', routes(['one.test', 'four.test'], origin.url));
    await bothServe('four.test', 60_000);
    // The data node that started during the outage joined once the control plane came back.
    assert.equal(
      late.process.child.exitCode,
      null,
      `edge-3 gave up instead of waiting:\n${late.process.lines.slice(-5).join('\n')}`,
    );
    await eventually(() => servedBy(late.web, 'four.test'), 60_000, 'edge-3 joined and serving');
    const waits = late.process.lines
      .filter((l) => /retrying/.test(l))
      .map((l) => JSON.parse(l) as { retryInMs: number });
    t.diagnostic(
      `edge-3 retried the join ${waits.length} times, waits ${waits.map((w) => w.retryInMs).join(', ')} ms`,
    );
    assert.ok(
      waits.some((w) => w.retryInMs > 1_000),
      'the waits grow',
    );
    // Out again, so that the tests below see two data nodes.
    await c.killData('edge-3');
    c.data.delete('edge-3');
    assert.equal((await c.admin(['remove-node', 'edge-3', '--force'])).code, 0);
    assert.equal(
      await servedBy(webOf('edge-1'), 'three.test'),
      false,
      'the newer version replaced the cached one',
    );
  });

  test('a certificate whose key does not match: both data nodes refuse the version, keep serving the previous one, and list-nodes says so', async () => {
    const ca = await makeCa('other');
    const [a, b] = await Promise.all([
      makeNode(ca, { nodeId: 'a', role: 'data' }),
      makeNode(ca, { nodeId: 'b', role: 'data' }),
    ]);
    await c.writeDynamic(
      'tls.yml',
      [
        'http:',
        '  routers:',
        `    five: { rule: "Host(\`five.test\`)", service: origin@file, entryPoints: [web] }`,
        'tls:',
        '  certificates:',
        `    - { certFile: ${JSON.stringify(a.certPem)}, keyFile: ${JSON.stringify(b.keyPem)} }`,
      ].join('\n'),
    );
    await eventually(
      async () =>
        (await c.listNodes()).nodes
          .filter((n) => n.role === 'data')
          .every((n) => n.lastNack?.errors.some((e) => e.code === 'TLS_INVALID') === true),
      20_000,
      'both data nodes refusing the version in list-nodes',
    );
    for (const edge of edges) {
      assert.equal(
        (await get(webOf(edge), 'five.test')).status,
        404,
        `${edge} does not serve the refused version`,
      );
      assert.equal(await servedBy(webOf(edge), 'four.test'), true, `${edge} serves the previous version`);
    }
    const table = await c.admin(['list-nodes', '--details']);
    assert.match(table.stdout, /edge-1\s.*\(rejected \d+\).*TLS_INVALID/);

    // Without the certificate the next version serves, and the refusal is history.
    await rm(join(c.dynamicDir, 'tls.yml'));
    await c.writeDynamic('app.yml', routes(['four.test', 'five.test'], origin.url));
    await bothServe('five.test');
    await eventually(
      async () => (await c.listNodes()).nodes.every((n) => n.lastNack === null),
      15_000,
      'no refusal left in list-nodes',
    );
  });

  test('apply opens and closes listeners without a restart; a version a data node refuses leaves the previous serving and shows in list-nodes', async () => {
    const alt = await freePort();
    const file = join(c.cluster.root, 'static.yml');
    // edge-1's own web address: edge-1 keeps its listener and opens alt; edge-2 cannot
    // bind an address edge-1 holds, so it refuses the version (NACK) and keeps serving.
    const web1 = `${HOST}:${webOf('edge-1')}`;
    await c.writeDynamic(
      'alt.yml',
      'http:\n  routers:\n    on-alt: { rule: "Host(`alt.test`)", service: origin@file, entryPoints: [alt] }\n',
    );
    await writeFile(
      file,
      `entryPoints:\n  web:\n    address: "${web1}"\n  alt:\n    address: "${HOST}:${alt}"\n`,
    );
    // --wait reports the data node the version has not reached (edge-2 refuses it). It lasts
    // the whole wait, since edge-2 never gets there: 10 s, as edge-1 once took more than 3 s
    // to apply it in CI.
    const applied = await c.admin(['apply', `--file=${file}`, '--wait=10']);
    assert.equal(applied.code, 1, applied.stderr);
    assert.match(applied.stdout, /applied entryPoints web, alt at revision \d+/);
    assert.match(applied.stderr, /revision \d+ has not reached edge-2 yet/);
    await eventually(() => servedBy(alt, 'alt.test'), 15_000, 'edge-1 serving on the applied entrypoint');
    await eventually(
      async () => {
        const edge2 = (await c.listNodes()).nodes.find((n) => n.id === 'edge-2');
        return edge2?.lastNack?.errors.some((e) => e.code === 'LISTEN_FAILED') === true;
      },
      15_000,
      'edge-2 refusing the version, in list-nodes',
    );
    assert.equal(await servedBy(webOf('edge-2'), 'four.test'), true, 'edge-2 serves the previous version');
    const table = await c.admin(['list-nodes', '--details']);
    assert.match(table.stdout, /edge-2\s.*\(rejected \d+\).*LISTEN_FAILED/);
    assert.match(table.stderr, /edge-2 rejected version \d+ and serves version \d+: LISTEN_FAILED/);

    // Without alt: edge-1 closes it.
    await writeFile(file, `entryPoints:\n  web:\n    address: "${web1}"\n`);
    assert.equal((await c.admin(['apply', `--file=${file}`])).code, 0);
    await eventually(
      async () => (await get(alt, 'four.test').catch(() => undefined)) === undefined,
      15_000,
      'alt closed',
    );
    assert.equal(await servedBy(webOf('edge-1'), 'four.test'), true);

    // Deleting the document gives every node its own entrypoints back: edge-2 takes it.
    const deleted = await callAdminApi({
      api: await adminApi(),
      credentials: await adminCredentials(),
      method: 'DELETE',
      path: '/api/config/static/entrypoints',
    });
    assert.equal(deleted.status, 200, deleted.body.toString());
    await eventually(
      async () => (await c.listNodes()).nodes.every((n) => n.lastNack === null),
      15_000,
      'edge-2 serving the version after the deletion',
    );
    assert.equal(await servedBy(webOf('edge-2'), 'five.test'), true);

    // An address every node can bind (a port of its choosing): --wait sees both take it.
    await writeFile(file, `entryPoints:\n  web:\n    address: "${HOST}:0"\n`);
    const everywhere = await c.admin(['apply', `--file=${file}`, '--wait=30']);
    assert.equal(everywhere.code, 0, everywhere.stderr);
    assert.match(everywhere.stdout, /every attached data node serves revision \d+/);
    await eventually(
      async () => !(await servedBy(webOf('edge-1'), 'five.test')),
      15_000,
      "edge-1's old web listener closed",
    );
    const restored = await callAdminApi({
      api: await adminApi(),
      credentials: await adminCredentials(),
      method: 'DELETE',
      path: '/api/config/static/entrypoints',
    });
    assert.equal(restored.status, 200, restored.body.toString());
    await bothServe('five.test');

    // A file with a mistake is refused before anything is sent, naming the file and the key.
    await writeFile(file, 'entryPoints:\n  web:\n    address: "nowhere"\n');
    const bad = await c.admin(['apply', `--file=${file}`]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /entryPoints\.web\.address/);
    assert.match(bad.stderr, /static\.yml/);
  });

  test("a data node's certificate can neither write through the admin API nor read the store", async () => {
    const pki = await readCredentials(join(c.cluster.stateDir('edge-1'), 'pki'));
    assert.ok(pki.ok);
    const edge: Credentials = pki.value;
    const up = CONTROL.find((n) => c.isUp(n))!;
    const api = await adminApi();
    for (const [method, path] of [
      ['PUT', '/api/config/static/entrypoints'],
      ['GET', '/api/cluster/backup'],
      ['GET', '/api/cluster/nodes'],
    ] as const) {
      const res = await callAdminApi({
        api,
        credentials: edge,
        method,
        path,
        ...(method === 'PUT' ? { body: { entryPoints: { web: { address: ':80' } } } } : {}),
      });
      assert.equal(res.status, 403, `${method} ${path}`);
    }
    // etcd trusts the cluster CA, but only control certificates are etcd users.
    const etcd = new Etcd3({
      hosts: [`https://${HOST}:${(await c.cluster.ports(up)).etcdClient}`],
      credentials: {
        rootCertificate: Buffer.from(edge.caPem),
        certChain: Buffer.from(edge.certPem),
        privateKey: Buffer.from(edge.keyPem),
      },
    });
    try {
      await assert.rejects(etcd.getAll().prefix('/switchyard/').keys(), /permission denied|user name/i);
    } finally {
      etcd.close();
    }
  });

  test("a data node's certificate cannot open another node's stream", async () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'WARN',
      format: 'json',
      destination: new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    });
    const pki = await readCredentials(join(c.cluster.stateDir('edge-1'), 'pki'));
    assert.ok(pki.ok);
    const applied: number[] = [];
    const up = CONTROL.find((n) => c.isUp(n))!;
    const impostor = new DataNodeClient({
      nodeId: 'edge-2',
      credentials: pki.value,
      controlNodes: [`${HOST}:${(await c.controlPorts(up)).distribution}`],
      stateDir: join(c.cluster.root, 'impostor'),
      localEntryPoints: {},
      apply: (input) => {
        applied.push(input.version);
        return Promise.resolve({ ok: true, version: input.version, errors: [] });
      },
      log,
    });
    await impostor.start();
    try {
      await eventually(
        async () => lines.some((l) => /DIST_DENIED|not the node the certificate names/.test(l)),
        15_000,
        'the stream refused',
      );
    } finally {
      await impostor.stop();
    }
    assert.deepEqual(applied, [], 'nothing was streamed to the impostor');
  });
});
