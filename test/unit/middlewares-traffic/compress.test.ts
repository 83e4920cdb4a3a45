import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  chooseEncoding,
  EncodingNegotiator,
  mediaTypeMatches,
  parseMediaType,
  type Encoding,
} from '../../../src/dataplane/middlewares/compress/index.js';

// Traefik's own table (pkg/middlewares/compress/acceptencoding_test.go); null is "do not
// compress" (Traefik's identity and not_acceptable).
describe('chooseEncoding', () => {
  const all: Encoding[] = ['gzip', 'br', 'zstd'];
  const cases: {
    desc: string;
    accept: string | string[] | undefined;
    encodings?: Encoding[];
    default?: Encoding;
    want: Encoding | null;
  }[] = [
    { desc: 'Empty Accept-Encoding', accept: '', want: null },
    { desc: 'gzip > br (no weight)', accept: 'gzip, br', want: 'gzip' },
    { desc: 'gzip > br > zstd (no weight)', accept: 'gzip, br, zstd', want: 'gzip' },
    { desc: 'known compression encoding (no weight)', accept: 'compress, gzip', want: 'gzip' },
    { desc: 'unknown compression encoding (no weight), no encoding', accept: 'compress, rar', want: null },
    { desc: 'wildcard returns the default compression encoding', accept: '*', want: 'gzip' },
    {
      desc: 'wildcard returns the custom default compression encoding',
      accept: '*',
      default: 'br',
      want: 'br',
    },
    { desc: 'follows weight', accept: 'br;q=0.8, gzip;q=1.0, *;q=0.1', want: 'gzip' },
    { desc: 'identity with higher weight is preferred', accept: 'br;q=0.8, identity;q=1.0', want: null },
    { desc: 'identity with equal weight is not preferred', accept: 'br;q=0.8, identity;q=0.8', want: 'br' },
    { desc: 'ignore unknown compression encoding', accept: 'compress;q=1.0, gzip;q=0.5', want: 'gzip' },
    {
      desc: 'fallback on non-zero compression encoding',
      accept: 'compress;q=1.0, gzip, identity;q=0',
      want: 'gzip',
    },
    { desc: 'not acceptable (identity)', accept: 'compress;q=1.0, identity;q=0', want: null },
    { desc: 'not acceptable (wildcard)', accept: 'compress;q=1.0, *;q=0', want: null },
    { desc: 'non-zero is higher than 0', accept: 'gzip, *;q=0', want: 'gzip' },
    { desc: 'zstd forbidden, brotli first', accept: 'zstd, gzip, br', encodings: ['br', 'gzip'], want: 'br' },
    {
      desc: 'follows weight, ignores forbidden encoding',
      accept: 'br;q=0.8, gzip;q=1.0, *;q=0.1',
      encodings: ['zstd', 'br'],
      want: 'br',
    },
    { desc: 'mixed weight', accept: 'gzip, br;q=0.9', encodings: ['gzip', 'br'], want: 'gzip' },
    { desc: 'Zero weights, no compression', accept: 'br;q=0, gzip;q=0, zstd;q=0', want: null },
    {
      desc: 'Zero weights, default encoding, no compression',
      accept: 'br;q=0, gzip;q=0, zstd;q=0',
      default: 'br',
      want: null,
    },
    {
      desc: 'Same weight, first supported encoding',
      accept: 'br;q=1.0, gzip;q=1.0, zstd;q=1.0',
      want: 'gzip',
    },
    { desc: 'Same weight, order has no effect', accept: 'br;q=1.0, zstd;q=1.0, gzip;q=1.0', want: 'gzip' },
    {
      desc: 'Same weight, defaultEncoding has no effect',
      accept: 'br;q=1.0, zstd;q=1.0, gzip;q=1.0',
      default: 'br',
      want: 'gzip',
    },
    { desc: 'no header at all: no compression', accept: undefined, want: null },
    { desc: 'no header at all: the default encoding when set', accept: undefined, default: 'br', want: 'br' },
    { desc: 'several header lines are read together', accept: ['br;q=0.5', 'gzip;q=0.9'], want: 'gzip' },
    { desc: 'an unreadable q counts as 0', accept: 'gzip;q=abc, br', want: 'br' },
  ];
  for (const c of cases) {
    test(c.desc, () => assert.equal(chooseEncoding(c.accept, c.encodings ?? all, c.default), c.want));
    test(`${c.desc}: the same when the choice is kept and asked again`, () => {
      const negotiator = new EncodingNegotiator(c.encodings ?? all, c.default);
      assert.equal(negotiator.choose(c.accept), c.want);
      assert.equal(negotiator.choose(c.accept), c.want);
    });
  }
});

describe('media types (mime.ParseMediaType and gzhttp matching)', () => {
  test('parses types and parameters, lower-casing names', () => {
    const type = parseMediaType('Text/HTML; Charset="UTF-8"');
    assert.equal(type?.type, 'text/html');
    assert.equal(type?.params.get('charset'), 'UTF-8');
    assert.equal(parseMediaType('not a type'), undefined);
    assert.equal(parseMediaType('text/plain; =x'), undefined);
  });

  const cases = [
    {
      desc: 'a pattern without parameters matches any',
      pattern: 'text/html',
      actual: 'text/html; charset=utf-8',
      want: true,
    },
    {
      desc: 'parameters must all match',
      pattern: 'text/html; charset=utf-8',
      actual: 'text/html; charset=utf-8',
      want: true,
    },
    {
      desc: 'a missing parameter does not match',
      pattern: 'text/html; charset=utf-8',
      actual: 'text/html',
      want: false,
    },
    { desc: 'another type does not match', pattern: 'text/html', actual: 'text/plain', want: false },
  ];
  for (const c of cases) {
    test(c.desc, () =>
      assert.equal(mediaTypeMatches(parseMediaType(c.pattern)!, parseMediaType(c.actual)!), c.want),
    );
  }
});
