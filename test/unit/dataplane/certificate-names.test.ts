// Certificates and keys written by the openssl command (an independent producer), read
// by certificateNames: the DER read in JavaScript must give what OpenSSL gives, and hand
// every case it cannot prove to OpenSSL.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateExpiry } from '../../../src/dataplane/observability/metrics/certificate-expiry.js';
import { certificateNames, keyPair } from '../../../src/dataplane/tls/certificate.js';
import {
  certificateFields,
  pemBlock,
  privateKeyFacts,
  sameKey,
} from '../../../src/dataplane/tls/x509-fields.js';

const dir = mkdtempSync(join(tmpdir(), 'sy-cert-names-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const openssl = (...args: string[]): string => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8' });

/** A key (genpkey writes PKCS#8), then a self-signed certificate for it; returns both PEMs. */
function make(
  name: string,
  keygen: string[],
  subject: string,
  san?: string,
  days = 2,
): { cert: string; key: string } {
  openssl(...keygen, '-out', `${name}.key`);
  openssl(
    'req', '-new', '-x509', '-key', `${name}.key`, '-out', `${name}.crt`, '-days', String(days),
    '-subj', subject, '-utf8', ...(san === undefined ? [] : ['-addext', `subjectAltName=${san}`]),
  ); // prettier-ignore
  return {
    cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
  };
}

/** The same key written another way (`openssl pkey|rsa|ec` and their flags). */
function rewrite(name: string, command: string, ...flags: string[]): string {
  return openssl(command, '-in', `${name}.key`, ...flags);
}

const EC256 = ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
const EC384 = ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'];
const RSA = ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
// SEC 1 preceded by an EC PARAMETERS block, as `openssl ecparam -genkey` writes it.
const EC_WITH_PARAMETERS = ['ecparam', '-name', 'prime256v1', '-genkey'];

const ec = make(
  'ec',
  EC256,
  '/O=Acme/CN=App.Example.test',
  'DNS:app.example.test,DNS:WWW.example.test,IP:10.0.0.1,IP:2001:db8::1,email:x@example.test,URI:spiffe://x/y',
);
const ec384 = make('ec384', EC384, '/CN=only-cn.example.test');
const rsa = make('rsa', RSA, '/CN=r\u00e9sum\u00e9.example.test', 'DNS:rsa.example.test');
const ecParameters = make('ecparam', EC_WITH_PARAMETERS, '/CN=ecparam.example.test');
const ed = make('ed', ['genpkey', '-algorithm', 'ED25519'], '/CN=ed.example.test', 'DNS:ed.example.test');
// Past 2049: notAfter is a GeneralizedTime.
const far = make(
  'far',
  EC256,
  '/CN=far.example.test',
  'DNS:b.example.test,IP:10.0.0.2,DNS:a.example.test',
  9000,
);
const noName = make('noname', EC256, '/O=No common name', 'DNS:san-only.example.test');

const cases = [
  { desc: 'EC P-256, PKCS#8, every kind of alternative name', pair: ec, fast: true },
  { desc: 'EC P-256, SEC 1 (EC PRIVATE KEY)', pair: { ...ec, key: rewrite('ec', 'ec') }, fast: true },
  { desc: 'EC P-256, SEC 1 after an EC PARAMETERS block', pair: ecParameters, fast: true },
  { desc: 'EC P-384, a common name and no alternative names', pair: ec384, fast: true },
  { desc: 'RSA, PKCS#8, a UTF-8 common name', pair: rsa, fast: true },
  {
    desc: 'RSA, PKCS#1 (RSA PRIVATE KEY)',
    pair: { ...rsa, key: rewrite('rsa', 'rsa', '-traditional') },
    fast: true,
  },
  { desc: 'no common name', pair: noName, fast: true },
  { desc: 'valid past 2049 (GeneralizedTime)', pair: far, fast: true },
  { desc: 'Ed25519 (handed to OpenSSL)', pair: ed, fast: false },
  {
    desc: 'EC key without its public point (handed to OpenSSL, which derives it)',
    pair: { ...ec, key: rewrite('ec', 'ec', '-no_public') },
    fast: false,
  },
];

/** What OpenSSL says, through node:crypto: the reference. */
function openSslNames({ cert, key }: { cert: string; key: string }): string[] {
  const x509 = new X509Certificate(cert);
  assert.ok(x509.checkPrivateKey(createPrivateKey(key)));
  const names = new Set<string>();
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x509.subject)?.[1];
  if (cn) names.add(cn.toLowerCase());
  for (const entry of (x509.subjectAltName ?? '').split(', ')) {
    const m = /^(DNS|IP Address):(.*)$/.exec(entry);
    if (m) names.add(m[2]!.toLowerCase());
  }
  return [...names];
}

describe('certificateNames', () => {
  for (const c of cases) {
    test(`${c.desc}: the names OpenSSL reads`, () => {
      const names = certificateNames(keyPair(c.pair.cert, c.pair.key), 'tls.certificates[0]');
      assert.ok(names.ok);
      assert.deepEqual(names.value, openSslNames(c.pair));
    });
    test(`${c.desc}: ${c.fast ? 'read in JavaScript' : 'not proven in JavaScript'}`, () => {
      const cert = pemBlock(c.pair.cert, /^CERTIFICATE$/)!;
      const key = pemBlock(c.pair.key, /PRIVATE KEY$/)!;
      const fields = certificateFields(cert.der);
      const facts = privateKeyFacts(key.label, key.der);
      const proven =
        fields?.publicKey !== undefined && facts !== undefined && sameKey(fields.publicKey, facts);
      assert.equal(proven, c.fast);
    });
  }

  test('the expected names, spelled out for the P-256 case', () => {
    const names = certificateNames(keyPair(ec.cert, ec.key), 'p');
    assert.ok(names.ok);
    assert.deepEqual(names.value, [
      'app.example.test',
      'www.example.test',
      '10.0.0.1',
      '2001:db8:0:0:0:0:0:1',
    ]);
  });

  const bad = [
    {
      desc: 'a key of another certificate (same type)',
      cert: ec.cert,
      key: noName.key,
      why: /does not belong/,
    },
    { desc: 'a key of another type', cert: ec.cert, key: rsa.key, why: /does not belong/ },
    { desc: 'an RSA key of another certificate', cert: rsa.cert, key: ec384.key, why: /does not belong/ },
    {
      desc: 'a truncated certificate',
      cert: ec.cert.replace(/\n[^\n]+\n-----END/, '\n-----END'),
      key: ec.key,
      why: /invalid certificate or key/,
    },
    { desc: 'a key that is not PEM', cert: ec.cert, key: 'not a key', why: /invalid certificate or key/ },
  ];
  for (const c of bad) {
    test(`refused: ${c.desc}, naming the resource`, () => {
      const names = certificateNames(keyPair(c.cert, c.key), 'tls.certificates[3]');
      assert.equal(names.ok, false);
      assert.ok(!names.ok);
      assert.equal(names.errors[0]?.path, 'tls.certificates[3]');
      assert.match(names.errors[0]!.message, c.why);
    });
  }

  test('the strict reader declines DER with trailing bytes (certificateNames then asks OpenSSL)', () => {
    const der = Buffer.concat([pemBlock(ec.cert, /^CERTIFICATE$/)!.der, Buffer.from([0])]);
    assert.equal(certificateFields(der), undefined);
  });
});

describe('certificateExpiry (traefik_tls_certs_not_after), read in JavaScript', () => {
  for (const c of cases) {
    test(`${c.desc}: what OpenSSL reads`, () => {
      const x509 = new X509Certificate(c.pair.cert);
      const dns = (x509.subjectAltName ?? '')
        .split(', ')
        .filter((e) => e.startsWith('DNS:'))
        .map((e) => e.slice(4))
        .sort();
      assert.deepEqual(certificateExpiry(c.pair.cert), {
        labels: {
          cn: /(?:^|\n)CN=([^\n]*)/.exec(x509.subject)?.[1] ?? '',
          sans: dns.join(','),
          serial: BigInt(`0x${x509.serialNumber}`).toString(),
        },
        notAfter: Math.floor(Date.parse(x509.validTo) / 1000),
      });
    });
  }
});
