import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRule } from '../../../src/rules/index.js';
import { request } from './fixtures.js';

// ClientIP semantics of Go's net package, as Traefik's ip.Checker uses it.
const cases: { desc: string; entry: string; yes: string[]; no: string[] }[] = [
  {
    desc: 'IPv6 address, any notation',
    entry: '2001:db8::1',
    yes: ['2001:db8::1', '2001:0db8:0:0:0:0:0:1'],
    no: ['2001:db8::2'],
  },
  {
    desc: 'IPv4-mapped IPv6 entry equals the IPv4 address',
    entry: '::ffff:10.0.0.1',
    yes: ['10.0.0.1', '::ffff:10.0.0.1'],
    no: ['10.0.0.2'],
  },
  {
    desc: 'IPv4 CIDR contains v4-mapped addresses',
    entry: '10.0.0.0/8',
    yes: ['10.1.2.3', '::ffff:10.1.2.3'],
    no: ['11.0.0.1', '::a00:1'],
  },
  {
    desc: 'v4-mapped CIDR compares only the IPv4 bits',
    entry: '::ffff:10.0.0.0/104',
    yes: ['10.9.9.9'],
    no: ['11.0.0.0'],
  },
  { desc: '::/0 holds IPv6 only', entry: '::/0', yes: ['::1', 'fe80::1'], no: ['127.0.0.1'] },
  { desc: '0.0.0.0/0 holds IPv4 only', entry: '0.0.0.0/0', yes: ['127.0.0.1'], no: ['::1'] },
  {
    desc: 'host bits in a CIDR are ignored',
    entry: '192.168.1.77/24',
    yes: ['192.168.1.1'],
    no: ['192.168.2.1'],
  },
  { desc: 'IPv6 /128', entry: '::1/128', yes: ['::1'], no: ['::2'] },
  {
    desc: 'embedded IPv4 tail in IPv6',
    entry: '64:ff9b::192.0.2.0/120',
    yes: ['64:ff9b::c000:2ff'],
    no: ['64:ff9b::c000:300'],
  },
  {
    desc: 'request address with an IPv6 zone',
    entry: 'fe80::/10',
    yes: ['fe80::1%eth0'],
    no: ['10.0.0.1%eth0'],
  },
];

describe('ClientIP', () => {
  for (const c of cases) {
    test(c.desc, () => {
      const compiled = compileRule(`ClientIP(\`${c.entry}\`)`);
      assert.ok(compiled.ok, compiled.ok ? '' : compiled.errors[0]!.message);
      for (const ip of c.yes) assert.equal(compiled.value.match(request({ clientIp: ip })), true, ip);
      for (const ip of c.no) assert.equal(compiled.value.match(request({ clientIp: ip })), false, ip);
    });
  }

  for (const bad of [
    '1',
    '1.2.3',
    '1.2.3.256',
    '01.2.3.4',
    '::g',
    '1::2::3',
    '10.0.0.0/',
    '10.0.0.0/x',
    '::/129',
    'fe80::1%eth0',
    '[::1]',
  ]) {
    test(`rejects ${bad}`, () => {
      const compiled = compileRule(`ClientIP(\`${bad}\`)`);
      assert.ok(!compiled.ok);
      assert.equal(compiled.errors[0]!.code, 'RULE_SYNTAX');
    });
  }
});
