// DNS-01 against Pebble, whose DNS server is pebble-challtestsrv: the exec provider (a
// script that sets the TXT record through challtestsrv's management API) and the httpreq
// provider (lego's protocol, served here by a small endpoint that does the same), a
// wildcard certificate, and a provider that fails.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readAcmeStatus } from '../../../src/controller/acme/index.js';
import { tlsRequest } from '../dataplane/harness.js';
import { resolver, startRig, until, type Rig } from './harness.js';
import { httpPost, startPebble, type Pebble } from './pebble.js';

describe('DNS-01 with Pebble and challtestsrv', { timeout: 120_000 }, () => {
  let rig: Rig;
  let pebble: Pebble;
  let dir: string;
  let relay: Server;
  let relayUrl: string;
  const relayed: unknown[] = [];

  before(async () => {
    rig = await startRig();
    pebble = await startPebble({ httpPort: rig.httpPort, tlsPort: rig.tlsPort });
    dir = await mkdtemp(join(tmpdir(), 'sy-acme-dns-'));
    // lego's httpreq protocol: POST /present and /cleanup with {fqdn, value}.
    relay = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const { fqdn, value } = JSON.parse(body) as { fqdn: string; value: string };
        relayed.push({ path: req.url, fqdn, value, auth: req.headers.authorization });
        const action =
          req.url === '/present'
            ? httpPost(`${pebble.challtestsrvUrl}/set-txt`, { host: fqdn, value })
            : httpPost(`${pebble.challtestsrvUrl}/clear-txt`, { host: fqdn });
        action.then(
          () => res.end('ok'),
          () => res.writeHead(500).end(),
        );
      });
    });
    relay.listen(0, '127.0.0.1');
    await new Promise((resolve) => relay.once('listening', resolve));
    relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  });
  after(async () => {
    await rig?.close();
    await pebble?.stop();
    relay?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A lego exec-provider script: `present|cleanup <fqdn> <value>` → challtestsrv. */
  async function execScript(name: string, fail = false): Promise<string> {
    const path = join(dir, name);
    const body = fail
      ? '#!/bin/sh\necho "the DNS API said no" >&2\nexit 3\n'
      : `#!/usr/bin/env node
const [action, fqdn, value] = process.argv.slice(2);
const path = action === 'present' ? '/set-txt' : '/clear-txt';
fetch(${JSON.stringify(pebble.challtestsrvUrl)} + path, { method: 'POST', body: JSON.stringify({ host: fqdn, value }) })
  .then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(2));
`;
    await writeFile(path, body);
    await chmod(path, 0o755);
    return path;
  }

  const dnsResolver = (provider: string) =>
    resolver({
      caServer: pebble.directoryUrl,
      caCertificates: [pebble.caFile],
      keyType: 'EC256',
      dnsChallenge: { provider, resolvers: [pebble.dnsServer] },
    });

  const state = async (main: string) => (await rig.orders()).get(`/switchyard/acme/orders/r/${main}`);

  test('exec provider: a wildcard and its apex in one certificate, served for any one-label name', async () => {
    await rig.publishRouters({
      'wild@file': {
        rule: 'HostRegexp(`^.+\\.wild\\.example\\.test$`)',
        service: 'noop@internal',
        entryPoints: ['websecure'],
        tls: { certResolver: 'r', domains: [{ main: '*.wild.example.test', sans: ['wild.example.test'] }] },
      },
    });
    const running = await rig.startManager(
      { r: dnsResolver('exec') },
      { env: { EXEC_PATH: await execScript('dns.js') } },
    );
    const record = await until(
      async () =>
        (await state('*.wild.example.test'))?.state === 'issued' ? state('*.wild.example.test') : undefined,
      'wildcard issued',
    );
    assert.deepEqual(record!.sans, ['wild.example.test']);
    await until(async () => {
      const reply = await tlsRequest(rig.tlsPort, {
        servername: 'any.wild.example.test',
        host: 'any.wild.example.test',
      });
      return (reply.certificate.subjectaltname ?? '').includes('DNS:*.wild.example.test');
    }, 'wildcard served');
    await running.stop();
  });

  test('httpreq provider: lego protocol with basic auth', async () => {
    await rig.publishRouters({
      'h@file': {
        rule: 'Host(`req.example.test`)',
        service: 'noop@internal',
        entryPoints: ['websecure'],
        tls: { certResolver: 'r' },
      },
    });
    const running = await rig.startManager(
      { r: dnsResolver('httpreq') },
      { env: { HTTPREQ_ENDPOINT: relayUrl, HTTPREQ_USERNAME: 'u', HTTPREQ_PASSWORD: 'p' } },
    );
    await until(async () => (await state('req.example.test'))?.state === 'issued', 'issued through httpreq');
    const present = relayed.find((call) => (call as { path: string }).path === '/present') as {
      fqdn: string;
      auth: string;
    };
    assert.equal(present.fqdn, '_acme-challenge.req.example.test.');
    assert.equal(present.auth, `Basic ${Buffer.from('u:p').toString('base64')}`);
    await until(
      async () => relayed.some((call) => (call as { path: string }).path === '/cleanup'),
      'record cleaned up',
    );
    await running.stop();
  });

  test('a failing DNS provider: the error is recorded and the router keeps the default certificate', async () => {
    await rig.publishRouters({
      'f@file': {
        rule: 'Host(`fail.example.test`)',
        service: 'noop@internal',
        entryPoints: ['websecure'],
        tls: { certResolver: 'r' },
      },
    });
    const running = await rig.startManager(
      { r: dnsResolver('exec') },
      { env: { EXEC_PATH: await execScript('fail.sh', true) } },
    );
    const record = await until(async () => {
      const found = await state('fail.example.test');
      return found?.lastError !== undefined ? found : undefined;
    }, 'failure recorded');
    assert.equal(record.lastError!.code, 'ACME_CHALLENGE');
    assert.match(record.lastError!.message, /the DNS API said no/);
    const status = await readAcmeStatus(rig.store);
    const shown = status.certificates.find((c) => c.main === 'fail.example.test');
    assert.match(shown?.lastError?.message ?? '', /the DNS API said no/);
    const reply = await tlsRequest(rig.tlsPort, {
      servername: 'fail.example.test',
      host: 'fail.example.test',
    });
    assert.match(reply.certificate.subjectaltname ?? '', /switchyard\.default/);
    await running.stop();
  });
});
