// The rfc2136 DNS provider against a real authoritative server: Debian's Knot DNS on a
// loopback port, with a zone that accepts updates signed by one TSIG key. Skipped when
// knotd is not installed (bash scripts/ensure-debian-packages.sh knotd:knot).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDnsProvider, type DnsProvider } from '../../../src/controller/acme/index.js';
import { freePort } from '../support/etcd.js';

const KNOTD = '/usr/sbin/knotd';
const secret = randomBytes(32).toString('base64');
const record = (value: string) => ({
  fqdn: '_acme-challenge.www.example.test.',
  value,
  domain: 'www.example.test',
  token: 'token',
  keyAuthorization: 'token.thumbprint',
});

describe('rfc2136 against Knot DNS', { skip: !existsSync(KNOTD), timeout: 60_000 }, () => {
  let dir: string;
  let knot: ChildProcess;
  let port: number;
  const signal = new AbortController().signal;

  const txt = async (): Promise<string[]> => {
    const resolver = new Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
    try {
      return (await resolver.resolveTxt('_acme-challenge.www.example.test')).map((chunks) => chunks.join(''));
    } catch {
      return [];
    }
  };
  const provider = (env: Record<string, string>): DnsProvider => {
    const made = createDnsProvider('r', 'rfc2136', { RFC2136_NAMESERVER: `127.0.0.1:${port}`, ...env });
    assert.ok(made.ok);
    return made.value;
  };

  before(async () => {
    dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sy-knot-'));
    port = await freePort();
    await writeFile(
      join(dir, 'example.test.zone'),
      [
        '$ORIGIN example.test.',
        '$TTL 300',
        '@ SOA ns.example.test. admin.example.test. 1 3600 600 86400 300',
        '@ NS ns',
        'ns A 127.0.0.1',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'knot.conf'),
      [
        'server:',
        `  rundir: "${dir}"`,
        `  listen: 127.0.0.1@${port}`,
        'database:',
        `  storage: "${dir}"`,
        'log:',
        '  - target: stderr',
        '    any: warning',
        'key:',
        '  - id: update-key',
        '    algorithm: hmac-sha256',
        `    secret: ${secret}`,
        'acl:',
        '  - id: update',
        '    key: update-key',
        '    action: update',
        'zone:',
        '  - domain: example.test',
        `    storage: "${dir}"`,
        '    file: example.test.zone',
        '    acl: update',
        '',
      ].join('\n'),
    );
    knot = spawn(KNOTD, ['-c', join(dir, 'knot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    knot.stderr!.resume();
    const deadline = Date.now() + 10_000;
    const soa = new Resolver({ timeout: 500, tries: 1 });
    soa.setServers([`127.0.0.1:${port}`]);
    for (;;) {
      if (
        await soa.resolveSoa('example.test').then(
          () => true,
          () => false,
        )
      )
        break;
      if (Date.now() > deadline) throw new Error('knotd did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  after(async () => {
    if (knot !== undefined && knot.exitCode === null) {
      knot.kill('SIGKILL');
      await once(knot, 'exit');
    }
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('a TSIG-signed update adds the TXT record, and the cleanup removes exactly it', async () => {
    const dns = provider({
      RFC2136_TSIG_KEY: 'update-key',
      RFC2136_TSIG_SECRET: secret,
      RFC2136_TSIG_ALGORITHM: 'hmac-sha256.',
    });
    await dns.present(record('first-value'), signal);
    await dns.present(record('second-value'), signal);
    assert.deepEqual((await txt()).sort(), ['first-value', 'second-value']);
    await dns.cleanup(record('first-value'), signal);
    assert.deepEqual(await txt(), ['second-value']);
    await dns.cleanup(record('second-value'), signal);
    assert.deepEqual(await txt(), []);
  });

  const refusals: { desc: string; env: Record<string, string>; says: RegExp }[] = [
    {
      desc: 'a wrong secret',
      env: {
        RFC2136_TSIG_KEY: 'update-key',
        RFC2136_TSIG_SECRET: randomBytes(32).toString('base64'),
        RFC2136_TSIG_ALGORITHM: 'hmac-sha256',
      },
      says: /NOTAUTH/,
    },
    {
      desc: 'an unknown key',
      env: {
        RFC2136_TSIG_KEY: 'other-key',
        RFC2136_TSIG_SECRET: secret,
        RFC2136_TSIG_ALGORITHM: 'hmac-sha256',
      },
      says: /NOTAUTH/,
    },
    { desc: 'no key at all', env: {}, says: /NOTAUTH|REFUSED/ },
  ];
  for (const c of refusals) {
    test(`refused: ${c.desc}`, async () => {
      await assert.rejects(provider(c.env).present(record('x'), signal), (err: Error) => {
        assert.match(err.message, c.says);
        return true;
      });
      assert.deepEqual(await txt(), []);
    });
  }
});
