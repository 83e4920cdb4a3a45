import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { selfSigned, tlsRequest } from '../dataplane/harness.js';
import { service, startOrigin, startProxy, type Origin, type Proxy } from './support.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

// Whole seconds, as certificates keep them.
const NOT_BEFORE = new Date('2025-05-15T04:13:46Z');
const NOT_AFTER = new Date(Math.floor(Date.now() / 1000 + 10 * 365 * 86400) * 1000);
const seconds = (date: Date) => String(date.getTime() / 1000);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const toPem = async (key: webcrypto.CryptoKey) =>
  x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');

/** A CA in the shape of Traefik's test certificates, and a client certificate it signed. */
async function clientChain() {
  const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const caName =
    'DC=org, DC=cheese, C=FR, C=US, ST=Signing State, ST=Signing State 2, L=TOULOUSE, L=LYON, O=Cheese, O=Cheese 2, CN=Simple Signing CA 2';
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: caName,
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date(NOT_AFTER.getTime() + 86400_000),
    signingAlgorithm: ALGORITHM,
    keys: caKeys,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '0126',
    subject:
      'DC=org, DC=cheese, C=FR, C=US, ST=Cheese org state, ST=Cheese com state, L=TOULOUSE, L=LYON, O=Cheese, O=Cheese 2, OU=Cheese Section, OU=Cheese Section 2, CN=*.example.com, 2.5.4.5=1234',
    issuer: ca.subject,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: '*.example.org' },
        { type: 'dns', value: '*.example.net' },
        { type: 'email', value: 'test@example.org' },
        { type: 'ip', value: '10.0.1.0' },
        { type: 'url', value: 'spiffe://cheese/client' },
      ]),
    ],
  });
  return {
    ca: ca.toString('pem'),
    cert: leaf.toString('pem'),
    key: await toPem(keys.privateKey),
    der: Buffer.from(leaf.rawData),
  };
}

describe('passTLSClientCert over mutual TLS', () => {
  let origin: Origin;
  let proxy: Proxy;
  let client: Awaited<ReturnType<typeof clientChain>>;

  before(async () => {
    origin = await startOrigin('app');
    const server = await selfSigned(['app.test']);
    client = await clientChain();
    const router = (name: string) => ({
      rule: `Host(\`${name}.test\`)`,
      service: 'app@file',
      middlewares: [`${name}@file`],
      tls: {},
    });
    proxy = await startProxy(
      {
        routers: { 'pem@file': router('pem'), 'info@file': router('info'), 'some@file': router('some') },
        services: { 'app@file': service(origin) },
        middlewares: {
          'pem@file': { passTLSClientCert: { pem: true } },
          // Traefik's documented example: every field.
          'info@file': {
            passTLSClientCert: {
              info: {
                notAfter: true,
                notBefore: true,
                sans: true,
                serialNumber: true,
                subject: {
                  country: true,
                  province: true,
                  locality: true,
                  organization: true,
                  organizationalUnit: true,
                  commonName: true,
                  serialNumber: true,
                  domainComponent: true,
                },
                issuer: {
                  country: true,
                  province: true,
                  locality: true,
                  organization: true,
                  commonName: true,
                  serialNumber: true,
                  domainComponent: true,
                },
              },
            },
          },
          'some@file': { passTLSClientCert: { info: { notAfter: true, subject: { commonName: true } } } },
        },
      },
      {},
      {
        certificates: [{ certFile: server.cert, keyFile: server.key }],
        options: {
          default: { clientAuth: { caFiles: [client.ca], clientAuthType: 'VerifyClientCertIfGiven' } },
        },
      },
    );
  });

  after(async () => {
    await proxy.close();
    await origin.close();
  });

  test('pem: the certificate as base64 DER, without armour or newlines', async () => {
    const reply = await tlsRequest(proxy.port, { servername: 'pem.test', clientCertificate: client });
    assert.equal(reply.status, 200);
    assert.equal(reply.echo?.headers['x-forwarded-tls-client-cert'], client.der.toString('base64'));
  });

  test('info: every field, in Traefik’s order and format, query-escaped', async () => {
    const reply = await tlsRequest(proxy.port, { servername: 'info.test', clientCertificate: client });
    const header = reply.echo?.headers['x-forwarded-tls-client-cert-info'];
    assert.ok(header);
    const expected =
      'Subject="DC=org,DC=cheese,C=FR,C=US,ST=Cheese org state,ST=Cheese com state,L=TOULOUSE,L=LYON,O=Cheese,O=Cheese 2,OU=Cheese Section,OU=Cheese Section 2,SN=1234,CN=*.example.com"' +
      ';Issuer="DC=org,DC=cheese,C=FR,C=US,ST=Signing State,ST=Signing State 2,L=TOULOUSE,L=LYON,O=Cheese,O=Cheese 2,CN=Simple Signing CA 2"' +
      ';SerialNumber="294"' +
      `;NB="${seconds(NOT_BEFORE)}";NA="${seconds(NOT_AFTER)}"` +
      ';SAN="*.example.org,*.example.net,test@example.org,10.0.1.0,spiffe://cheese/client"';
    assert.equal(decodeURIComponent(header.replace(/\+/g, ' ')), expected);
    // Go's url.QueryEscape: spaces as +, = and " escaped.
    assert.match(header, /^Subject%3D%22DC%3Dorg%2CDC%3Dcheese/);
    assert.ok(header.includes('Cheese+org+state'));
  });

  test('info: only the selected fields', async () => {
    const reply = await tlsRequest(proxy.port, { servername: 'some.test', clientCertificate: client });
    assert.equal(
      reply.echo?.headers['x-forwarded-tls-client-cert-info'],
      `Subject%3D%22CN%3D%2A.example.com%22%3BNA%3D%22${seconds(NOT_AFTER)}%22`,
    );
  });

  test('a request without client certificate passes without the headers', async () => {
    const reply = await tlsRequest(proxy.port, { servername: 'info.test' });
    assert.equal(reply.status, 200);
    assert.equal(reply.echo?.headers['x-forwarded-tls-client-cert-info'], undefined);
    assert.equal(reply.echo?.headers['x-forwarded-tls-client-cert'], undefined);
  });
});
