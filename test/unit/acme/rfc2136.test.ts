// DNS UPDATE (RFC 2136) with TSIG (RFC 8945), checked byte by byte against the layout the
// RFCs give, written out by hand here.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  decodeResponseHeader,
  encodeTxtUpdate,
  parseNameServer,
  parseTsigAlgorithm,
} from '../../../src/controller/acme/index.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const ascii = (text: string): string => Buffer.from(text, 'ascii').toString('hex');

// example.com. and _acme-challenge.a.example.com. in wire form.
const ZONE = `07${ascii('example')}03${ascii('com')}00`;
const NAME = `0f${ascii('_acme-challenge')}01${ascii('a')}${ZONE}`;
const update = {
  id: 0x1234,
  zone: 'example.com.',
  name: '_acme-challenge.a.example.com.',
  ttl: 120,
  value: 'abc',
};

describe('encodeTxtUpdate', () => {
  test('add: opcode UPDATE, the zone SOA, one TXT record of class IN', () => {
    const got = encodeTxtUpdate({ ...update, action: 'add' });
    const want = hex(`
      1234 2800 0001 0000 0001 0000
      ${ZONE} 0006 0001
      ${NAME} 0010 0001 00000078 0004 03${ascii('abc')}`);
    assert.equal(got.toString('hex'), want.toString('hex'));
  });

  test('delete: the same record with class NONE and TTL 0 (delete an RR from an RRset)', () => {
    const got = encodeTxtUpdate({ ...update, action: 'delete' });
    const want = hex(`
      1234 2800 0001 0000 0001 0000
      ${ZONE} 0006 0001
      ${NAME} 0010 00fe 00000000 0004 03${ascii('abc')}`);
    assert.equal(got.toString('hex'), want.toString('hex'));
  });

  test('TSIG: an additional record whose MAC covers the unsigned message and the TSIG variables', () => {
    const secret = Buffer.from('a shared secret');
    const key = { name: 'Update-Key.', algorithm: 'hmac-sha256' as const, secret };
    const got = encodeTxtUpdate({ ...update, action: 'add' }, { key, timeSigned: 1_700_000_000, fudge: 300 });
    const unsigned = encodeTxtUpdate({ ...update, action: 'add' });
    const keyName = `0a${ascii('update-key')}00`;
    const algorithm = `0b${ascii('hmac-sha256')}00`;
    const time = '00006553f100'; // 1_700_000_000 in 48 bits
    const variables = hex(`${keyName} 00ff 00000000 ${algorithm} ${time} 012c 0000 0000`);
    const mac = createHmac('sha256', secret).update(unsigned).update(variables).digest('hex');
    const rdata = `${algorithm} ${time} 012c 0020 ${mac} 1234 0000 0000`;
    const rdlength = hex(rdata).length.toString(16).padStart(4, '0');
    const signed = Buffer.from(unsigned);
    signed.writeUInt16BE(1, 10);
    const want = Buffer.concat([signed, hex(`${keyName} 00fa 00ff 00000000 ${rdlength} ${rdata}`)]);
    assert.equal(got.toString('hex'), want.toString('hex'));
  });

  test('a value longer than 255 octets is split into character-strings', () => {
    const got = encodeTxtUpdate({ ...update, value: 'x'.repeat(300), action: 'add' });
    const rdata = got.subarray(got.length - 302);
    assert.equal(rdata[0], 255);
    assert.equal(rdata[256], 45);
  });
});

describe('RFC 2136 helpers', () => {
  const algorithms = [
    { text: 'hmac-sha256.', want: 'hmac-sha256' },
    { text: 'HMAC-MD5.SIG-ALG.REG.INT.', want: 'hmac-md5' },
    { text: 'hmac-sha512', want: 'hmac-sha512' },
    { text: 'gss-tsig', want: undefined },
  ];
  for (const c of algorithms)
    test(`algorithm ${c.text}`, () => assert.equal(parseTsigAlgorithm(c.text), c.want));

  const servers = [
    { text: '127.0.0.1', want: { host: '127.0.0.1', port: 53 } },
    { text: '127.0.0.1:5353', want: { host: '127.0.0.1', port: 5353 } },
    { text: '[::1]:5353', want: { host: '::1', port: 5353 } },
    { text: '::1', want: { host: '::1', port: 53 } },
    { text: 'ns.example.com:70000', want: undefined },
    { text: '', want: undefined },
  ];
  for (const c of servers)
    test(`name server ${JSON.stringify(c.text)}`, () => assert.deepEqual(parseNameServer(c.text), c.want));

  test('a response header: id, RCODE and truncation', () => {
    assert.deepEqual(decodeResponseHeader(hex('1234 a809 0000 0000 0000 0000')), {
      id: 0x1234,
      rcode: 'NOTAUTH',
      truncated: false,
    });
    assert.deepEqual(decodeResponseHeader(hex('0001 aa00 0000 0000 0000 0000')), {
      id: 1,
      rcode: 'NOERROR',
      truncated: true,
    });
    assert.equal(decodeResponseHeader(hex('0001')), undefined);
  });
});
