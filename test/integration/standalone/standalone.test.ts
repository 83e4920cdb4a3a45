import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, freePort, startSwitchyard, type SwitchyardProcess } from './process.js';

// The whole standalone path in one real process: static file + flags, the watched
// directory, the controller and the data plane, with bad input arriving while it serves.

interface Reply {
  status: number;
  body: string;
}

function get(port: number, host: string, path = '/'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

async function startOrigin(name: string): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    const delay = Number(/[?&]delay=(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    setTimeout(() => res.end(`${name} ${req.url}`), delay);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('switchyard standalone', () => {
  let dir: string;
  let web: number;
  let pingPort: number;
  let proxy: SwitchyardProcess;
  let alpha: { url: string; server: http.Server };
  let beta: { url: string; server: http.Server };

  const routes = (port: number, host: string) => get(port, host).then((r) => r.status === 200);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-standalone-'));
    const accessLog = join(dir, 'access.log');
    alpha = await startOrigin('alpha');
    beta = await startOrigin('beta');
    web = await freePort();
    pingPort = await freePort();
    await writeFile(
      join(dir, 'static.yml'),
      [
        'entryPoints:',
        `  web: { address: "127.0.0.1:${web}" }`,
        'providers:',
        '  providersThrottleDuration: 50ms',
        `  file: { directory: ${JSON.stringify(join(dir, 'dynamic'))} }`,
        'log: { level: INFO }',
        'api: { insecure: true }',
        'metrics: { prometheus: {} }',
        `accessLog: { filePath: ${JSON.stringify(accessLog)}, format: json, bufferingSize: 0 }`,
        `stateDir: ${JSON.stringify(join(dir, 'state'))}`,
      ].join('\n'),
    );
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'dynamic'));
    await writeFile(
      join(dir, 'dynamic', 'alpha.yml'),
      `http:\n  routers:\n    alpha:\n      rule: Host(\`alpha.test\`)\n      service: alpha\n  services:\n    alpha:\n      loadBalancer:\n        servers: [{ url: "${alpha.url}" }]\n`,
    );
    await writeFile(
      join(dir, 'dynamic', 'beta.toml'),
      `[http.routers.beta]\nrule = "Host(\`beta.test\`)"\nservice = "beta"\n[[http.services.beta.loadBalancer.servers]]\nurl = "${beta.url}"\n`,
    );
    // A flag adds the ping entrypoint on top of the file, as Traefik's flags would.
    proxy = startSwitchyard([
      '--config',
      join(dir, 'static.yml'),
      `--entryPoints.traefik.address=127.0.0.1:${pingPort}`,
      '--ping',
    ]);
    await proxy.waitForLine(/started/);
    await eventually(() => routes(web, 'beta.test'), 10_000, 'beta routed');
  });

  after(async () => {
    await proxy?.stop('SIGKILL');
    alpha?.server.close();
    beta?.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('routes YAML and TOML files, answers 404 for unknown hosts and /ping on its entrypoint', async () => {
    assert.deepEqual(await get(web, 'alpha.test', '/x'), { status: 200, body: 'alpha /x' });
    assert.deepEqual(await get(web, 'beta.test'), { status: 200, body: 'beta /' });
    assert.deepEqual(await get(web, 'nobody.test'), { status: 404, body: '404 page not found\n' });
    assert.deepEqual(await get(pingPort, 'localhost', '/ping'), { status: 200, body: 'OK' });
  });

  test('serves the read API and Prometheus metrics on the traefik entrypoint', async () => {
    const routers = await get(pingPort, 'localhost', '/api/http/routers');
    assert.equal(routers.status, 200);
    const names = (JSON.parse(routers.body) as { name: string; status: string }[]).map((r) => r.name);
    assert.ok(names.includes('alpha@file') && names.includes('beta@file'), names.join(','));
    await get(web, 'beta.test');
    const metrics = await get(pingPort, 'localhost', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /traefik_entrypoint_requests_total\{[^}]*entrypoint="web"[^}]*\} \d+/);
    assert.match(metrics.body, /traefik_config_last_reload_success 1/);
  });

  test('writes Traefik JSON access-log lines and reopens the file on SIGUSR1', async () => {
    const file = join(dir, 'access.log');
    await get(web, 'alpha.test', '/logged');
    const entries = async (path: string) =>
      (await readFile(path, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    await eventually(
      async () => (await entries(file)).some((e) => e.RequestPath === '/logged'),
      5000,
      'access log line',
    );
    const line = (await entries(file)).find((e) => e.RequestPath === '/logged')!;
    assert.equal(line.RouterName, 'alpha@file');
    assert.equal(line.DownstreamStatus, 200);
    assert.equal(line.RequestHost, 'alpha.test');

    await rename(file, `${file}.1`);
    proxy.child.kill('SIGUSR1');
    await eventually(
      async () => {
        await get(web, 'alpha.test', '/after-rotation');
        return (await entries(file)).some((e) => e.RequestPath === '/after-rotation');
      },
      5000,
      'a line in the reopened file',
    );
  });

  test('a file that stops parsing keeps its last good content; the error names file, line and column', async () => {
    await writeFile(join(dir, 'dynamic', 'alpha.yml'), 'http:\n  routers:\n    alpha: [unclosed\n');
    const line = await proxy.waitForLine(/alpha\.yml:\d+:\d+/);
    assert.match(line, /CONFIG_PARSE/);
    assert.equal((await get(web, 'alpha.test')).status, 200);
    assert.equal((await get(web, 'beta.test')).status, 200);
  });

  test('bad resources are dropped with errors naming them; everything else keeps serving', async () => {
    await writeFile(
      join(dir, 'dynamic', 'zz-bad.yml'),
      [
        'http:',
        '  routers:',
        '    bad-rule: { rule: "Host(`x.test`", service: beta }',
        '    bad-regexp: { rule: "PathRegexp(`(?<=a)b`)", service: beta }',
        '    no-service: { rule: "Host(`ns.test`)", service: missing }',
        '    no-middleware: { rule: "Host(`nm.test`)", service: beta, middlewares: [missing] }',
        '    unknown-field: { rule: "Host(`uf.test`)", service: beta, colour: blue }',
        '    empty: { rule: "Host(`empty.test`)", service: empty }',
        '    good: { rule: "Host(`good.test`)", service: beta }',
        '  services:',
        '    empty: { loadBalancer: { servers: [] } }',
        '    beta: { loadBalancer: { servers: [{ url: "http://127.0.0.1:9" }] } }',
      ].join('\n'),
    );
    await eventually(() => routes(web, 'good.test'), 10_000, 'good.test routed');
    const expectations: [RegExp, RegExp][] = [
      [/bad-rule@file\.rule/, /RULE_SYNTAX/],
      [/bad-regexp@file\.rule/, /RULE_BAD_REGEXP/],
      [/no-service@file\.service/, /CONFIG_MISSING_REFERENCE/],
      [/no-middleware@file\.middlewares/, /CONFIG_MISSING_REFERENCE/],
      [/unknown-field.*colour/, /CONFIG_UNKNOWN_FIELD/],
      [/empty@file/, /CONFIG_EMPTY_SERVICE/],
      [/beta/, /CONFIG_CONFLICT/],
    ];
    for (const [resource, code] of expectations) {
      const line = await proxy.waitForLine(resource);
      assert.ok(
        proxy.lines.some((l) => resource.test(l) && code.test(l)),
        `${resource} with ${code}`,
      );
      assert.ok(line);
    }
    // The conflicting `beta` in zz-bad.yml loses to beta.toml, read first: good.test reaches beta.
    assert.deepEqual(await get(web, 'good.test'), { status: 200, body: 'beta /' });
    for (const host of ['x.test', 'ns.test', 'nm.test', 'uf.test'])
      assert.equal((await get(web, host)).status, 404, host);
    assert.equal((await get(web, 'empty.test')).status, 503);
    assert.equal((await get(web, 'alpha.test')).status, 200);
    assert.equal((await get(web, 'beta.test')).status, 200);
  });

  test('the data plane is fed through the store, as a data node is: the state directory holds the store, the data key and the applied version', async () => {
    const state = join(dir, 'state');
    const mode = async (file: string): Promise<number> => (await stat(file)).mode & 0o777;
    assert.ok((await stat(join(state, 'store'))).isDirectory());
    assert.equal(await mode(join(state, 'data-key')), 0o600);
    const cache = join(state, 'distribution', 'applied.json');
    await eventually(
      async () => (await readFile(cache, 'utf8')).includes('/switchyard/config/http/routers/alpha@file'),
      10_000,
      'the applied version cached',
    );
    assert.equal(await mode(cache), 0o600);
    const cached = JSON.parse(await readFile(cache, 'utf8')) as {
      revision: number;
      entries: [string, string][];
    };
    const keys = cached.entries.map(([key]) => key);
    assert.ok(keys.includes('/switchyard/config/version'));
    assert.ok(keys.includes('/switchyard/config/http/services/beta@file'));
    assert.ok(cached.revision > 0);
  });

  test('SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const slow = get(web, 'beta.test', '/?delay=400');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const code = proxy.stop('SIGTERM');
    assert.deepEqual(await slow, { status: 200, body: 'beta /?delay=400' });
    assert.equal(await code, 0);
  });
});

describe('switchyard standalone with a bad static configuration', () => {
  test('exits 2 with an error naming the key and its source', async () => {
    const proxy = startSwitchyard(['--entryPoints.web.address=nowhere']);
    const [code] = (await once(proxy.child, 'exit')) as [number];
    assert.equal(code, 2);
    assert.ok(
      proxy.lines.some((l) => /entryPoints\.web\.address/.test(l) && /--entryPoints\.web\.address/.test(l)),
    );
  });
});
