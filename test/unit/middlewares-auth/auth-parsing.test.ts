import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadUserLines } from '../../../src/dataplane/middlewares/auth-common/index.js';
import {
  parseBasicAuthorization,
  VerifiedCredentials,
} from '../../../src/dataplane/middlewares/basic-auth/index.js';
import {
  NonceTable,
  parseDigestAuthorization,
} from '../../../src/dataplane/middlewares/digest-auth/index.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('parseBasicAuthorization (Go Request.BasicAuth)', () => {
  const cases = [
    { desc: 'user and password', value: `Basic ${b64('alice:s3cret')}`, want: ['alice', 's3cret'] },
    { desc: 'the scheme in any case', value: `bASIC ${b64('alice:x')}`, want: ['alice', 'x'] },
    { desc: 'a colon in the password', value: `Basic ${b64('alice:a:b')}`, want: ['alice', 'a:b'] },
    { desc: 'an empty password', value: `Basic ${b64('alice:')}`, want: ['alice', ''] },
    { desc: 'no colon', value: `Basic ${b64('alice')}`, want: undefined },
    { desc: 'base64 without padding', value: 'Basic YWxpY2U6eA', want: undefined },
    { desc: 'not base64', value: 'Basic %%%%', want: undefined },
    { desc: 'another scheme', value: 'Bearer abc', want: undefined },
    { desc: 'no header', value: undefined, want: undefined },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const parsed = parseBasicAuthorization(c.value);
      assert.deepEqual(parsed === undefined ? undefined : [parsed.user, parsed.password.toString()], c.want);
    });
  }
});

describe('parseDigestAuthorization (go-http-auth)', () => {
  test('quoted and bare values, commas inside quotes, escapes', () => {
    const parsed = parseDigestAuthorization(
      'Digest username="a\\"b", realm="x, y", nc=00000001, qop=auth, uri="/p?q=1,2", flag',
    );
    assert.deepEqual(Object.fromEntries(parsed!), {
      username: 'a"b',
      realm: 'x, y',
      nc: '00000001',
      qop: 'auth',
      uri: '/p?q=1,2',
      flag: '',
    });
  });
  test('only the exact scheme Digest', () => {
    assert.equal(parseDigestAuthorization('digest username="a"'), undefined);
    assert.equal(parseDigestAuthorization('Basic abc'), undefined);
    assert.equal(parseDigestAuthorization('Digest'), undefined);
  });
});

describe('NonceTable', () => {
  test('a nonce is good for growing counts only', () => {
    const table = new NonceTable();
    const nonce = table.issue();
    assert.match(nonce, /^[A-Za-z0-9+/]{16}$/);
    assert.equal(table.use(nonce, 1n), true);
    assert.equal(table.use(nonce, 1n), false);
    assert.equal(table.use(nonce, 3n), true);
    assert.equal(table.use(nonce, 2n), false);
    assert.equal(table.use('unknown', 1n), false);
  });
  test('past 1100 nonces the 200 least recently used go', () => {
    const table = new NonceTable();
    const first = table.issue();
    const nonces = Array.from({ length: 1100 }, () => table.issue());
    assert.equal(table.use(first, 1n), true); // used: now the most recent
    table.issue();
    assert.equal(table.size, 1102 - 200);
    assert.equal(table.use(first, 2n), true);
    assert.equal(table.use(nonces[0]!, 1n), false);
    assert.equal(table.use(nonces[1099]!, 1n), true);
  });
});

describe('loadUserLines', () => {
  test('file lines first (trimmed, comments and blanks skipped), then inline users', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-users-'));
    try {
      const file = join(dir, 'users');
      writeFileSync(file, '# comment\n\n  a:1  \r\nb:2\n');
      const lines = loadUserLines(['c:3'], file);
      assert.ok(lines.ok);
      assert.deepEqual(
        lines.value.map((l) => [l.text, l.path, l.where]),
        [
          ['a:1', 'usersFile', `${file} line 3`],
          ['b:2', 'usersFile', `${file} line 4`],
          ['c:3', 'users[0]', 'users[0]'],
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('a missing file is an error naming it', () => {
    const lines = loadUserLines(undefined, '/nonexistent/users');
    assert.ok(!lines.ok);
    assert.equal(lines.errors[0]!.path, 'usersFile');
    assert.match(lines.errors[0]!.detail, /cannot read \/nonexistent\/users \(ENOENT\)/);
  });
});

describe('VerifiedCredentials', () => {
  test('remembers matches only, shares a pending check, and forgets the oldest past capacity', async () => {
    const cache = new VerifiedCredentials(2);
    const key = cache.keyOf('alice', Buffer.from('pw'));
    assert.notEqual(key, cache.keyOf('alice', Buffer.from('pw2')));
    let calls = 0;
    const slow = () => {
      calls++;
      return Promise.resolve(true);
    };
    const [a, b] = await Promise.all([cache.verify(key, slow), cache.verify(key, slow)]);
    assert.deepEqual([a, b, calls], [true, true, 1]);
    assert.equal(cache.has(key), true);
    const wrong = cache.keyOf('alice', Buffer.from('nope'));
    assert.equal(await cache.verify(wrong, () => Promise.resolve(false)), false);
    assert.equal(cache.has(wrong), false);
    cache.verify(cache.keyOf('b', Buffer.from('1')), () => true);
    cache.verify(cache.keyOf('c', Buffer.from('1')), () => true);
    assert.equal(cache.has(key), false);
  });
});
