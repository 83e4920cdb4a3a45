// certificatesResolvers in the static configuration: Traefik's names and defaults, read
// from files, flags and the environment like every other section.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LETS_ENCRYPT_DIRECTORY } from '../../../src/config/static/index.js';
import { assertErrors, failed, loaded, type WantError } from '../static-config/helpers.js';

const WEB = ['--entryPoints.web.address=:80', '--entryPoints.websecure.address=:443'];

describe('certificatesResolvers', () => {
  test("defaults are Traefik's: RSA4096, 90 days, Let's Encrypt production", () => {
    const config = loaded({ argv: [...WEB, '--certificatesResolvers.le.acme.tlsChallenge=true'] });
    const acme = config.certificatesResolvers.le!.acme;
    assert.equal(acme.keyType, 'RSA4096');
    assert.equal(acme.certificatesDuration, 2160);
    assert.equal(acme.caServer, LETS_ENCRYPT_DIRECTORY);
    assert.deepEqual(acme.tlsChallenge, { delay: 0 });
    assert.equal(acme.httpChallenge, undefined);
    assert.equal(acme.clientTimeout, 120_000);
  });

  const cases: {
    desc: string;
    argv?: string[];
    env?: Record<string, string>;
    check: (acme: ReturnType<typeof acmeOf>) => void;
  }[] = [
    {
      desc: 'flags, case-insensitive keys, a bare section flag',
      argv: [
        '--certificatesresolvers.le.acme.email=ops@example.com',
        '--certificatesresolvers.le.acme.httpchallenge.entrypoint=web',
        '--certificatesresolvers.le.acme.keytype=ec256',
        '--certificatesresolvers.le.acme.certificatesduration=24',
        '--certificatesresolvers.le.acme.dnschallenge.provider=exec',
        '--certificatesresolvers.le.acme.dnschallenge.resolvers=127.0.0.1:53,[::1]:53',
        '--certificatesresolvers.le.acme.dnschallenge.propagation.delaybeforechecks=30s',
      ],
      check: (acme) => {
        assert.equal(acme.email, 'ops@example.com');
        assert.equal(acme.httpChallenge?.entryPoint, 'web');
        assert.equal(acme.keyType, 'EC256');
        assert.equal(acme.certificatesDuration, 24);
        assert.deepEqual(acme.dnsChallenge?.resolvers, ['127.0.0.1:53', '[::1]:53']);
        assert.equal(acme.dnsChallenge?.propagation.delayBeforeChecks, 30_000);
      },
    },
    {
      desc: 'environment variables',
      env: {
        SWITCHYARD_CERTIFICATESRESOLVERS_LE_ACME_CASERVER: 'https://ca.test/dir',
        SWITCHYARD_CERTIFICATESRESOLVERS_LE_ACME_TLSCHALLENGE: 'true',
        SWITCHYARD_CERTIFICATESRESOLVERS_LE_ACME_EAB_KID: 'kid-1',
        SWITCHYARD_CERTIFICATESRESOLVERS_LE_ACME_EAB_HMACENCODED: 'c2VjcmV0',
      },
      check: (acme) => {
        assert.equal(acme.caServer, 'https://ca.test/dir');
        assert.deepEqual(acme.eab, { kid: 'kid-1', hmacEncoded: 'c2VjcmV0' });
      },
    },
    {
      desc: "Traefik v2's delayBeforeCheck and a storage file are accepted",
      argv: [
        '--certificatesResolvers.le.acme.storage=/acme.json',
        '--certificatesResolvers.le.acme.dnsChallenge.provider=rfc2136',
        '--certificatesResolvers.le.acme.dnsChallenge.delayBeforeCheck=10',
      ],
      check: (acme) => {
        assert.equal(acme.storage, '/acme.json');
        assert.equal(acme.dnsChallenge?.delayBeforeCheck, 10_000);
      },
    },
    {
      desc: 'CA certificate paths become absolute',
      argv: [
        '--certificatesResolvers.le.acme.tlsChallenge',
        '--certificatesResolvers.le.acme.caCertificates=certs/ca.pem',
      ],
      check: (acme) => assert.deepEqual(acme.caCertificates, ['/srv/app/certs/ca.pem']),
    },
  ];
  const acmeOf = (argv: string[], env: Record<string, string>) =>
    loaded({ argv: [...WEB, ...argv], env }).certificatesResolvers.le!.acme;
  for (const c of cases) test(c.desc, () => c.check(acmeOf(c.argv ?? [], c.env ?? {})));

  const errors: { desc: string; argv: string[]; want: WantError[] }[] = [
    {
      desc: 'no challenge at all',
      argv: ['--certificatesResolvers.le.acme.email=a@b.c'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'certificatesResolvers.le.acme',
          says: /at least one of httpChallenge, tlsChallenge or dnsChallenge/,
        },
      ],
    },
    {
      desc: 'an unknown key type',
      argv: ['--certificatesResolvers.le.acme.tlsChallenge', '--certificatesResolvers.le.acme.keyType=DSA'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'certificatesResolvers.le.acme.keyType',
          says: /invalid keyType "DSA"/,
        },
      ],
    },
    {
      desc: 'the HTTP challenge on an entrypoint that does not exist',
      argv: ['--certificatesResolvers.le.acme.httpChallenge.entryPoint=http'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'certificatesResolvers.le.acme.httpChallenge.entryPoint',
          says: /unknown entrypoint "http"/,
        },
      ],
    },
    {
      desc: 'a certificate duration under an hour',
      argv: [
        '--certificatesResolvers.le.acme.tlsChallenge',
        '--certificatesResolvers.le.acme.certificatesDuration=0',
      ],
      want: [
        { code: 'STATIC_INVALID', path: 'certificatesResolvers.le.acme.certificatesDuration', says: />=1/ },
      ],
    },
    {
      desc: 'a resolver kind Switchyard does not have',
      argv: ['--certificatesResolvers.ts.tailscale=true'],
      want: [
        { code: 'CONFIG_UNKNOWN_FIELD', path: 'certificatesResolvers.ts.tailscale', says: /unknown key/ },
      ],
    },
  ];
  for (const c of errors)
    test(`rejected: ${c.desc}`, () => assertErrors(failed({ argv: [...WEB, ...c.argv] }), c.want));
});
