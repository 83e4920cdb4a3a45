// The whole path in one real process: `switchyard standalone` with a certificate resolver
// pointing at a real Pebble. The controller's duty runs the ACME manager, the HTTP-01
// answer reaches the data plane through the distribution, Pebble validates it on the web
// entrypoint, and the issued certificate is served by SNI on websecure.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tlsRequest } from '../dataplane/harness.js';
import { freePort, startSwitchyard, type SwitchyardProcess } from '../standalone/process.js';
import { until } from './harness.js';
import { startPebble, type Pebble } from './pebble.js';

describe('standalone with a certificate resolver, against Pebble', { timeout: 120_000 }, () => {
  let dir: string;
  let pebble: Pebble;
  let switchyard: SwitchyardProcess;
  let webPort: number;
  let websecurePort: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sy-standalone-acme-'));
    [webPort, websecurePort] = [await freePort(), await freePort()];
    pebble = await startPebble({ httpPort: webPort, tlsPort: websecurePort });
    await writeFile(
      join(dir, 'routes.yml'),
      [
        'http:',
        '  routers:',
        '    shop:',
        '      rule: Host(`shop.test`)',
        '      entryPoints: [websecure]',
        '      service: noop@internal',
        '      tls: { certResolver: le }',
      ].join('\n'),
    );
    switchyard = startSwitchyard(
      [
        `--entryPoints.web.address=127.0.0.1:${webPort}`,
        `--entryPoints.websecure.address=127.0.0.1:${websecurePort}`,
        `--providers.file.directory=${dir}`,
        '--providers.providersThrottleDuration=100ms',
        `--certificatesResolvers.le.acme.caServer=${pebble.directoryUrl}`,
        '--certificatesResolvers.le.acme.email=ops@shop.test',
        '--certificatesResolvers.le.acme.httpChallenge.entryPoint=web',
        `--stateDir=${join(dir, 'state')}`,
        '--ping=true',
        '--log.level=INFO',
      ],
      { LEGO_CA_CERTIFICATES: pebble.caFile },
    );
  });
  after(async () => {
    await switchyard?.stop();
    await pebble?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the certificate is ordered by the controller and served by the data plane', async () => {
    let last = 'no answer';
    const served = await until(
      async () => {
        const reply = await tlsRequest(websecurePort, { servername: 'shop.test' }).catch((err: Error) => {
          last = err.message;
          return undefined;
        });
        const issuer = String(reply?.certificate.issuer?.CN ?? '');
        if (reply !== undefined) last = `issuer ${issuer}`;
        return /pebble/i.test(issuer) ? reply : undefined;
      },
      'a Pebble certificate served for shop.test',
      90_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message} (last: ${last})\n${switchyard.lines.slice(-30).join('\n')}`);
    });
    assert.match(served.certificate.subjectaltname ?? '', /DNS:shop\.test/);
  });
});
