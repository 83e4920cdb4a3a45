import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  caFingerprint,
  createJoinToken,
  formatJoinToken,
  parseJoinToken,
} from '../../../src/cluster/pki/index.js';
import { base32Decode, base32Encode } from '../../../src/cluster/pki/base32.js';
import { canonicalIp } from '../../../src/cluster/pki/ip-address.js';
import { makeCa, must } from './fixtures.js';

const FP = 'a'.repeat(52);
const SECRET = 'b'.repeat(51) + 'q'; // 52 chars whose trailing 4 bits are zero

describe('join tokens', () => {
  test('a created token names its role, pins the CA and carries 256 random bits', async () => {
    const ca = await makeCa();
    const text = createJoinToken('data', ca.certPem);
    assert.match(text, /^SWYTKN-1-data-[a-z2-7]{52}-[a-z2-7]{52}$/);
    const token = must(parseJoinToken(text));
    assert.equal(token.role, 'data');
    assert.equal(token.caFingerprint, caFingerprint(ca.certPem));
    assert.equal(token.secret.length, 32);
    assert.equal(formatJoinToken(token), text);
    assert.notEqual(createJoinToken('data', ca.certPem), text);
  });

  test('parsing ignores surrounding whitespace and the case of the parts', () => {
    const token = must(parseJoinToken(`  SWYTKN-1-control-${FP.toUpperCase()}-${SECRET}\n`));
    assert.deepEqual([token.role, token.caFingerprint], ['control', FP]);
  });

  const malformed = [
    { desc: 'empty', text: '' },
    { desc: "Docker's prefix", text: `SWMTKN-1-data-${FP}-${SECRET}` },
    { desc: 'unknown version', text: `SWYTKN-2-data-${FP}-${SECRET}` },
    { desc: 'unknown role', text: `SWYTKN-1-admin-${FP}-${SECRET}` },
    { desc: 'missing role', text: `SWYTKN-1-${FP}-${SECRET}` },
    { desc: 'short fingerprint', text: `SWYTKN-1-data-${FP.slice(1)}-${SECRET}` },
    { desc: 'fingerprint outside base32', text: `SWYTKN-1-data-${'1'.repeat(52)}-${SECRET}` },
    { desc: 'short secret', text: `SWYTKN-1-data-${FP}-${SECRET.slice(2)}` },
    { desc: 'secret with non-zero padding bits', text: `SWYTKN-1-data-${FP}-${'b'.repeat(52)}` },
    { desc: 'extra part', text: `SWYTKN-1-data-${FP}-${SECRET}-x` },
  ];
  for (const c of malformed) {
    test(`refuses a malformed token: ${c.desc}`, () => {
      const result = parseJoinToken(c.text);
      assert.equal(result.ok, false);
      if (!result.ok) assert.deepEqual([result.error.code, result.error.path], ['TOKEN_MALFORMED', 'token']);
    });
  }
});

describe('base32', () => {
  const cases = [
    { desc: 'empty', hex: '', text: '' },
    { desc: 'RFC 4648 "f"', hex: '66', text: 'my' },
    { desc: 'RFC 4648 "foobar"', hex: '666f6f626172', text: 'mzxw6ytboi' },
    { desc: 'all ones', hex: 'ffffffffff', text: '77777777' },
  ];
  for (const c of cases) {
    test(`round trip: ${c.desc}`, () => {
      assert.equal(base32Encode(Buffer.from(c.hex, 'hex')), c.text);
      assert.equal(Buffer.from(base32Decode(c.text) ?? []).toString('hex'), c.hex);
    });
  }
  test('decoding refuses characters outside the alphabet', () =>
    assert.equal(base32Decode('abc1'), undefined));
});

describe('canonicalIp', () => {
  const cases = [
    { desc: 'IPv4 unchanged', text: '10.0.0.1', want: '10.0.0.1' },
    { desc: 'IPv6 compressed, lower case', text: '2001:DB8:0:0:0:0:0:1', want: '2001:db8::1' },
    { desc: 'IPv4-mapped IPv6 as IPv4', text: '::ffff:127.0.0.1', want: '127.0.0.1' },
    { desc: 'zone ids refused', text: 'fe80::1%eth0', want: undefined },
    { desc: 'host names refused', text: 'localhost', want: undefined },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(canonicalIp(c.text), c.want));
});
