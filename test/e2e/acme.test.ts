import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openEngine } from '../integration/support/docker.js';
import { freePort } from '../integration/support/etcd.js';
import { eventually } from '../integration/docker/harness.js';
import { ComposeProject, missingImages, sh } from './support/docker-cli.js';
import { getTls, servedCertificate } from './support/http.js';

// A certificate ordered from a Pebble container reaches both data nodes: the quickstart
// plus test/e2e/fixtures/acme.override.yml (Pebble, its DNS server, a resolver on the
// control node, a second data node, an app whose router names the resolver). Only the
// controller talks to Pebble; Pebble validates HTTP-01 on data-1; the certificate is then
// served by data-1 and data-2 alike. Requests go to the data nodes' ports on 127.0.0.1.

const PROJECT = 'sy-e2e-acme';
const HOST = 'secure.e2e.test';

const engine = await openEngine();
const skip = 'skip' in engine ? engine.skip : await missingImages();
if (skip) console.log(`# skipping the ACME suite: ${skip}`);

describe('a certificate from Pebble reaches both data nodes', { skip, timeout: 240_000 }, () => {
  let project: ComposeProject;
  let dir: string;
  let https1: number;
  let https2: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sy-e2e-pebble-'));
    // Pebble's HTTPS listener certificate, for the name the control node reaches it by.
    await sh('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=pebble',
      '-addext',
      'subjectAltName=DNS:pebble',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    await writeFile(
      join(dir, 'pebble.json'),
      JSON.stringify({
        pebble: {
          listenAddress: '0.0.0.0:14000',
          managementListenAddress: '0.0.0.0:15000',
          certificate: '/pebble/cert.pem',
          privateKey: '/pebble/key.pem',
          // Where Pebble validates: the data nodes' entrypoints inside the network.
          httpPort: 8000,
          tlsPort: 8443,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      }),
    );
    // The containers run as other users than the test; the key is a throwaway.
    await chmod(dir, 0o755);
    for (const file of ['key.pem', 'cert.pem', 'pebble.json']) await chmod(join(dir, file), 0o644);
    [https1, https2] = [await freePort(), await freePort()];
    project = new ComposeProject(PROJECT, ['compose/quickstart.yml', 'test/e2e/fixtures/acme.override.yml'], {
      SWITCHYARD_HTTP_PORT: `127.0.0.1:${await freePort()}`,
      SWITCHYARD_HTTPS_PORT: `127.0.0.1:${https1}`,
      SWITCHYARD_HTTPS_PORT_2: `127.0.0.1:${https2}`,
      SWITCHYARD_PEBBLE_MANAGEMENT_PORT: `127.0.0.1:${await freePort()}`,
      SWITCHYARD_NETWORK: PROJECT,
      SWITCHYARD_SUBNET_PREFIX: '10.213.63',
      SWITCHYARD_E2E_PEBBLE_DIR: dir,
    });
    await project.down();
    await project.up();
  });

  after(async () => {
    await project?.down();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('both data nodes serve the Pebble-issued certificate for the router’s host', async (t) => {
    const started = Date.now();
    for (const [name, port] of [
      ['data', https1],
      ['data-2', https2],
    ] as const) {
      await eventually(
        `${name} serves a certificate from Pebble for ${HOST}`,
        async () => {
          const certificate = await servedCertificate(port, HOST);
          return (
            /Pebble/.test(String(certificate.issuer?.CN ?? '')) &&
            /DNS:secure\.e2e\.test/.test(certificate.subjectaltname ?? '')
          );
        },
        60_000,
      );
      assert.equal((await getTls(port, HOST)).status, 200);
    }
    t.diagnostic(`certificate on both data nodes ${Date.now() - started} ms after the stack was up`);
  });
});
