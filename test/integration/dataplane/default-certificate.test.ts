import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { generatedDefaultCertificate } from '../../../src/dataplane/tls/default-certificate.js';

test('a TLS handshake completes with the generated default certificate', { timeout: 10_000 }, async () => {
  const pair = await generatedDefaultCertificate();
  const server = createServer({ cert: pair.cert, key: pair.key }, (socket) => socket.end('hello'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    // Trusting the certificate itself: the handshake checks the chain, the signature and the name.
    const client = connect({ host: '127.0.0.1', port, ca: pair.cert, checkServerIdentity: () => undefined });
    await once(client, 'secureConnect');
    assert.equal(client.authorized, true, String(client.authorizationError));
    assert.equal(client.getPeerX509Certificate()?.subject, 'CN=SWITCHYARD DEFAULT CERT');
    client.setEncoding('utf8');
    let body = '';
    for await (const chunk of client) body += String(chunk);
    assert.equal(body, 'hello');
  } finally {
    server.close();
  }
});
