import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddress } from '../../../src/config/static/index.js';

describe('parseAddress', () => {
  const valid: { desc: string; addr: string; host: string | undefined; port: number }[] = [
    { desc: 'port only means every interface', addr: ':80', host: undefined, port: 80 },
    { desc: 'IPv4 host', addr: '127.0.0.1:8080', host: '127.0.0.1', port: 8080 },
    { desc: 'bracketed IPv6 host', addr: '[::1]:8443', host: '::1', port: 8443 },
    { desc: 'IPv6 wildcard', addr: '[::]:443', host: '::', port: 443 },
    { desc: 'host name', addr: 'localhost:3000', host: 'localhost', port: 3000 },
    { desc: '/tcp suffix, as Traefik allows', addr: ':443/tcp', host: undefined, port: 443 },
    { desc: '/TCP suffix in upper case', addr: '127.0.0.1:81/TCP', host: '127.0.0.1', port: 81 },
    { desc: 'port 0 lets the kernel choose', addr: '127.0.0.1:0', host: '127.0.0.1', port: 0 },
    { desc: 'highest port', addr: ':65535', host: undefined, port: 65535 },
  ];
  for (const c of valid) {
    test(c.desc, () => {
      assert.deepEqual(parseAddress(c.addr), { ok: true, value: { host: c.host, port: c.port } });
    });
  }

  const invalid: { desc: string; addr: string; why: RegExp }[] = [
    { desc: 'no colon', addr: '80', why: /missing port/ },
    { desc: 'empty', addr: '', why: /missing port/ },
    { desc: 'no port after the colon', addr: '127.0.0.1:', why: /port must be a number/ },
    { desc: 'named port', addr: ':http', why: /port must be a number/ },
    { desc: 'port out of range', addr: ':65536', why: /between 0 and 65535/ },
    { desc: 'IPv6 without brackets', addr: '::1:80', why: /needs brackets/ },
    { desc: 'unclosed bracket', addr: '[::1:80', why: /missing "\]"/ },
    { desc: 'bracket without port', addr: '[::1]', why: /missing port/ },
    { desc: 'IPv4 in brackets', addr: '[127.0.0.1]:80', why: /not an IPv6 address/ },
    { desc: 'bad host name', addr: 'my_host:80', why: /not an IP address or host name/ },
    { desc: 'UDP is not supported', addr: ':53/udp', why: /UDP entrypoints are not supported/ },
    { desc: 'unknown protocol', addr: ':80/sctp', why: /unknown protocol "sctp"/ },
  ];
  for (const c of invalid) {
    test(`rejects: ${c.desc}`, () => {
      const result = parseAddress(c.addr);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.errors.length, 1);
      assert.equal(result.errors[0]!.code, 'STATIC_INVALID');
      assert.ok(result.errors[0]!.message.startsWith(`invalid address ${JSON.stringify(c.addr)}: `));
      assert.match(result.errors[0]!.message, c.why);
    });
  }
});
