import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Dockerode from 'dockerode';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestImage, openEngine, removeTestObjects, startHttpd } from '../support/docker.js';
import { eventually, freePort, startSwitchyard, type SwitchyardProcess } from '../standalone/process.js';

// `switchyard standalone` with providers.docker, end to end: labelled containers on the
// real engine, routed by the real process, seen through its read API; a container with a
// bad label is logged by name while the others keep serving.

const SUITE = 'docker-standalone';
const engine = await openEngine();
const skip = 'skip' in engine ? engine.skip : false;

function get(port: number, host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
    });
    req.setTimeout(5_000, () => req.destroy(new Error(`GET ${host}${path}: no answer within 5 s`)));
    req.on('error', reject);
  });
}

interface RawData {
  routers?: Record<string, { rule?: string; service?: string; status?: string }>;
  services?: Record<string, { loadBalancer?: { servers?: { url: string }[] }; status?: string }>;
}

describe('switchyard standalone with the Docker provider', { skip }, () => {
  const docker = 'docker' in engine ? engine.docker : (undefined as unknown as Dockerode);
  let dir: string;
  let web: number;
  let api: number;
  let proxy: SwitchyardProcess | undefined;

  before(async () => {
    await ensureTestImage(docker);
    await removeTestObjects(docker, SUITE);
    dir = await mkdtemp(join(tmpdir(), 'switchyard-docker-standalone-'));
    web = await freePort();
    api = await freePort();
    await writeFile(
      join(dir, 'static.yml'),
      [
        'entryPoints:',
        `  web: { address: "127.0.0.1:${web}" }`,
        `  traefik: { address: "127.0.0.1:${api}" }`,
        'providers:',
        '  providersThrottleDuration: 50ms',
        '  docker:',
        '    exposedByDefault: false',
        '    constraints: "Label(`switchyard.test.suite`, `docker-standalone`)"',
        'api: { insecure: true }',
        'log: { level: INFO }',
        `stateDir: ${JSON.stringify(join(dir, 'state'))}`,
      ].join('\n'),
    );
    proxy = startSwitchyard(['--config', join(dir, 'static.yml')]);
    await proxy.waitForLine(/started/, 20_000);
  });
  after(async () => {
    await proxy?.stop();
    await removeTestObjects(docker, SUITE);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('labelled containers are served and listed as x@docker; a bad label is logged by container and label', async () => {
    const enabled = { 'traefik.enable': 'true' };
    await startHttpd(docker, SUITE, {
      name: 'sy-standalone-x',
      labels: {
        ...enabled,
        'traefik.http.routers.x.rule': 'Host(`x.test`)',
        'traefik.http.routers.x.service': 'x',
        'traefik.http.services.x.loadbalancer.server.port': '80',
      },
    });
    await startHttpd(docker, SUITE, {
      name: 'sy-standalone-auto',
      labels: { ...enabled, 'traefik.http.routers.auto.rule': 'Host(`auto.test`)' },
    });
    await startHttpd(docker, SUITE, {
      name: 'sy-standalone-bad',
      labels: {
        ...enabled,
        'traefik.http.routers.bad.rule': 'Host(`bad.test`)',
        'traefik.http.services.bad.loadbalancer.server.port': 'abc',
      },
    });

    const serves = (host: string, body: string) => async () => {
      const reply = await get(web, host);
      return reply.status === 200 && reply.body === body;
    };
    await eventually(serves('x.test', 'sy-standalone-x'), 15_000, 'x.test served');
    await eventually(serves('auto.test', 'sy-standalone-auto'), 15_000, 'auto.test served');
    assert.equal((await get(web, 'bad.test')).status, 404);

    const line = await proxy!.waitForLine(/sy-standalone-bad/, 15_000);
    assert.match(line, /traefik\.http\.services\.bad\.loadbalancer\.server\.port/);

    const raw = JSON.parse((await get(api, 'localhost', '/api/rawdata')).body) as RawData;
    assert.equal(raw.routers?.['x@docker']?.rule, 'Host(`x.test`)');
    assert.equal(raw.routers?.['x@docker']?.service, 'x@docker');
    assert.match(raw.services?.['x@docker']?.loadBalancer?.servers?.[0]?.url ?? '', /^http:\/\/[\d.]+:80$/);
    assert.ok(raw.routers?.['auto@docker'], 'auto@docker listed');
    assert.ok(raw.services?.['sy-standalone-auto@docker'], 'the automatic service listed');
    // As in Traefik, the router stays, disabled: the service its labels define is invalid.
    assert.equal(raw.routers?.['bad@docker']?.status, 'disabled');
    assert.equal(raw.services?.['bad@docker'], undefined);

    // Still serving after the bad container was reported.
    assert.ok(await serves('x.test', 'sy-standalone-x')());
  });
});
