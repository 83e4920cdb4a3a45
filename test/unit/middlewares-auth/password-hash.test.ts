import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { md5Crypt, parsePasswordHash } from '../../../src/dataplane/middlewares/basic-auth/index.js';

// bcrypt of "secret" by htpasswd -nbB (cost 5); the revision letter does not change the hash.
const BCRYPT_Y = '$2y$05$8vJnH2mfF3uxKGO/DzC1jO4KSOa4tJLBrLYuyUBlanIWEcY6YPVrm';

describe('md5Crypt', () => {
  const cases = [
    { desc: 'htpasswd -m', password: 'secret', hash: '$apr1$aXBOBmgD$yS3rm1lDrkiyujYMl1SCt0' },
    {
      desc: "Traefik's documented user test",
      password: 'test',
      hash: '$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/',
    },
    {
      desc: "Traefik's documented user test2",
      password: 'test2',
      hash: '$apr1$d9hr9HBB$4HxwgUir3HP4EsggP/QNo0',
    },
    {
      desc: 'crypt(3) $1$ (openssl passwd -1)',
      password: 'hello',
      hash: '$1$abcdefgh$rwnEbRiN0agqVgZBovWNQ/',
    },
    {
      desc: 'empty password',
      password: '',
      hash: md5Crypt(Buffer.alloc(0), Buffer.from('saltsalt'), '$apr1$'),
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const [, magic, salt] = c.hash.split('$');
      assert.equal(md5Crypt(Buffer.from(c.password), Buffer.from(salt!), `$${magic}$`), c.hash);
    });
  }
  test('passwords longer than the digest (16 bytes) and than 64 bytes', () => {
    const long = Buffer.from('x'.repeat(100));
    const hash = md5Crypt(long, Buffer.from('abc'), '$apr1$');
    assert.match(hash, /^\$apr1\$abc\$[./0-9A-Za-z]{22}$/);
    assert.notEqual(hash, md5Crypt(Buffer.from('x'.repeat(99)), Buffer.from('abc'), '$apr1$'));
  });
});

describe('parsePasswordHash', () => {
  const accepted = [
    { desc: 'bcrypt $2y$', text: BCRYPT_Y, kind: 'bcrypt' },
    { desc: 'bcrypt $2a$', text: BCRYPT_Y.replace('$2y$', '$2a$'), kind: 'bcrypt' },
    { desc: 'bcrypt $2b$', text: BCRYPT_Y.replace('$2y$', '$2b$'), kind: 'bcrypt' },
    { desc: 'bcrypt $2x$', text: BCRYPT_Y.replace('$2y$', '$2x$'), kind: 'bcrypt' },
    { desc: 'apr1', text: '$apr1$aXBOBmgD$yS3rm1lDrkiyujYMl1SCt0', kind: 'md5-crypt' },
    { desc: 'crypt(3) MD5', text: '$1$abcdefgh$rwnEbRiN0agqVgZBovWNQ/', kind: 'md5-crypt' },
    { desc: 'SHA1', text: '{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=', kind: 'sha1' },
  ];
  for (const c of accepted) {
    test(`accepts ${c.desc}, and checks passwords against it`, async () => {
      const hash = parsePasswordHash(c.text);
      assert.ok(typeof hash !== 'string', String(hash));
      assert.equal(hash.kind, c.kind);
      const password = c.kind === 'md5-crypt' && c.text.startsWith('$1$') ? 'hello' : 'secret';
      assert.equal(await hash.matches(Buffer.from(password)), true);
      assert.equal(await hash.matches(Buffer.from(`${password}!`)), false);
    });
  }

  const refused = [
    { desc: 'plain text (htpasswd -p)', text: 'secret', why: /not a supported hash/ },
    { desc: 'crypt(3) DES (htpasswd -d)', text: 'OfCzxpqt/mrcY', why: /not a supported hash/ },
    {
      desc: 'SHA-256 crypt',
      text: '$5$/tJszREHBNrrWEjQ$vZXvXpLjIs0ty6k2qmosj.TWMiAORMh64E420VIbMGA',
      why: /SHA-crypt/,
    },
    { desc: 'SHA-512 crypt', text: '$6$kLHR4cYvzMcbAY66$Vvv22vsfneJssRV', why: /SHA-crypt/ },
    { desc: 'truncated bcrypt', text: BCRYPT_Y.slice(0, 40), why: /well-formed bcrypt/ },
    { desc: 'apr1 without digest', text: '$apr1$x$y', why: /well-formed MD5-crypt/ },
    { desc: 'SHA1 of the wrong length', text: '{SHA}abc=', why: /well-formed \{SHA\}/ },
  ];
  for (const c of refused) {
    test(`refuses ${c.desc}`, () => {
      const hash = parsePasswordHash(c.text);
      assert.equal(typeof hash, 'string');
      assert.match(hash as string, c.why);
    });
  }
});
