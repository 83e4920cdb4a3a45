import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classify } from '../../../src/dataplane/entrypoints/peek.js';
import { MAX_HELLO_RECORD, peekClientHello } from '../../../src/dataplane/tls/index.js';

const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const u24 = (n: number): Buffer => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);

/** A TLS 1.2-style ClientHello record with the given SNI and ALPN extensions. */
function clientHello(serverName?: string, alpn?: string[]): Buffer {
  const extensions: Buffer[] = [];
  if (serverName !== undefined) {
    const name = Buffer.from(serverName, 'latin1');
    const entry = Buffer.concat([Buffer.from([0]), u16(name.length), name]);
    const list = Buffer.concat([u16(entry.length), entry]);
    extensions.push(u16(0), u16(list.length), list);
  }
  // An unrelated extension in between (supported_groups).
  extensions.push(u16(10), u16(4), u16(2), u16(0x1d));
  if (alpn !== undefined) {
    const protocols = Buffer.concat(
      alpn.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])),
    );
    const list = Buffer.concat([u16(protocols.length), protocols]);
    extensions.push(u16(16), u16(list.length), list);
  }
  const ext = Buffer.concat(extensions);
  const body = Buffer.concat([
    Buffer.from([3, 3]),
    Buffer.alloc(32, 7),
    Buffer.from([0]),
    u16(2),
    u16(0x1301),
    Buffer.from([1, 0]),
    u16(ext.length),
    ext,
  ]);
  const handshake = Buffer.concat([Buffer.from([1]), u24(body.length), body]);
  return Buffer.concat([Buffer.from([0x16, 3, 1]), u16(handshake.length), handshake]);
}

describe('peekClientHello', () => {
  const hello = clientHello('App.Example.com', ['h2', 'http/1.1']);
  const cases = [
    { desc: 'nothing yet', data: Buffer.alloc(0), want: { kind: 'incomplete' } },
    { desc: 'plain HTTP', data: Buffer.from('GET / HTTP/1.1\r\n'), want: { kind: 'plain' } },
    { desc: 'record header cut short', data: hello.subarray(0, 3), want: { kind: 'incomplete' } },
    { desc: 'record cut short', data: hello.subarray(0, 40), want: { kind: 'incomplete' } },
    {
      desc: 'SNI and ALPN',
      data: hello,
      want: { kind: 'tls', serverName: 'App.Example.com', alpn: ['h2', 'http/1.1'] },
    },
    {
      desc: 'no SNI',
      data: clientHello(undefined, ['h2']),
      want: { kind: 'tls', serverName: '', alpn: ['h2'] },
    },
    {
      desc: 'no extensions of interest',
      data: clientHello(),
      want: { kind: 'tls', serverName: '', alpn: [] },
    },
    {
      desc: 'bytes after the record are ignored',
      data: Buffer.concat([clientHello('a.test'), Buffer.from([0x17, 3, 3])]),
      want: { kind: 'tls', serverName: 'a.test', alpn: [] },
    },
    {
      desc: 'SSLv2 hello is TLS, to be refused by the handshake',
      data: Buffer.from([0x80, 0x2e, 1]),
      want: { kind: 'tls', serverName: '', alpn: [] },
    },
    {
      desc: 'a handshake record that is not a ClientHello is TLS without a name',
      data: Buffer.concat([Buffer.from([0x16, 3, 1]), u16(4), Buffer.from([2, 0, 0, 0])]),
      want: { kind: 'tls', serverName: '', alpn: [] },
    },
    {
      desc: 'garbage lengths do not throw',
      data: Buffer.concat([Buffer.from([0x16, 3, 1]), u16(6), Buffer.from([1, 0, 0, 2, 3, 3])]),
      want: { kind: 'tls', serverName: '', alpn: [] },
    },
  ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(peekClientHello(c.data), c.want));

  test('a record longer than TLS allows is not waited for', () => {
    const data = Buffer.concat([Buffer.from([0x16, 3, 1]), u16(MAX_HELLO_RECORD), Buffer.alloc(10)]);
    assert.deepEqual(peekClientHello(data), { kind: 'tls', serverName: '', alpn: [] });
  });
});

describe('classify', () => {
  const cases = [
    {
      desc: 'HTTP/2 preface (h2c with prior knowledge)',
      data: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      want: { kind: 'h2c' },
    },
    { desc: 'the preface cut short waits for more', data: 'PRI * HT', want: undefined },
    { desc: 'a lone P waits for more', data: 'P', want: undefined },
    { desc: 'POST is HTTP/1', data: 'POST / HTTP/1.1\r\n', want: { kind: 'plain' } },
    { desc: 'PUT is HTTP/1', data: 'PU', want: { kind: 'plain' } },
    { desc: 'GET is HTTP/1', data: 'G', want: { kind: 'plain' } },
    { desc: 'nothing yet', data: '', want: undefined },
  ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(classify(Buffer.from(c.data)), c.want));

  test('a TLS ClientHello', () => {
    assert.deepEqual(classify(clientHello('a.test')), { kind: 'tls', serverName: 'a.test', alpn: [] });
  });
});
