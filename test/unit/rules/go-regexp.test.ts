import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGoRegexp, translateGoRegexp } from '../../../src/rules/index.js';

interface BehaviourCase {
  desc: string;
  pattern: string;
  /** Strings Go's regexp.MatchString accepts. */
  matches: string[];
  /** Strings it rejects. */
  rejects: string[];
}

// What Go does with each pattern, checked against the translated JavaScript RegExp.
const behaviour: BehaviourCase[] = [
  { desc: 'unanchored by default', pattern: 'api', matches: ['/api', 'x-api-y'], rejects: ['/API'] },
  {
    desc: 'alternation inside a group',
    pattern: '^/(css|js)',
    matches: ['/css', '/js/main.js'],
    rejects: ['/html', '/CSS'],
  },
  { desc: 'named group (?P<name>)', pattern: '^/(?P<id>[0-9]+)$', matches: ['/42'], rejects: ['/x'] },
  {
    desc: 'named group (?<name>) and a name JS cannot take',
    pattern: '^(?<1a>x)(?<b>y)$',
    matches: ['xy'],
    rejects: ['x'],
  },
  {
    desc: '$ is end of text only, not before a final newline',
    pattern: 'a$',
    matches: ['a'],
    rejects: ['a\n'],
  },
  { desc: '\\z is end of text', pattern: 'a\\z', matches: ['ba'], rejects: ['a\n', 'ab'] },
  { desc: '\\A is start of text', pattern: '\\Aa', matches: ['ab'], rejects: ['ba', '\na'] },
  {
    desc: '(?m) anchors break only at \\n',
    pattern: '(?m)^b$',
    matches: ['a\nb\nc', 'b'],
    rejects: ['a\rb', 'a\u2028b'],
  },
  {
    desc: '. excludes only \\n (not \\r or U+2028)',
    pattern: '^a.b$',
    matches: ['a\rb', 'a\u2028b', 'axb'],
    rejects: ['a\nb'],
  },
  { desc: '(?s) lets . match \\n', pattern: '(?s)^a.b$', matches: ['a\nb'], rejects: ['ab'] },
  { desc: '. counts an astral character once', pattern: '^.$', matches: ['😀', 'é'], rejects: ['ab'] },
  {
    desc: '(?i) at the start folds everything',
    pattern: '(?i)^abc$',
    matches: ['ABC', 'aBc'],
    rejects: ['abd'],
  },
  {
    desc: '(?i) folds Unicode like Go (k and Kelvin sign)',
    pattern: '(?i)^k$',
    matches: ['K', 'k', '\u212a'],
    rejects: ['x'],
  },
  { desc: '(?i) with non-ASCII letters', pattern: '(?i)^été$', matches: ['ÉTÉ', 'Été'], rejects: ['ete'] },
  {
    desc: 'flag in the middle applies to what follows',
    pattern: '^a(?i)b$',
    matches: ['aB', 'ab'],
    rejects: ['AB', 'Ab'],
  },
  { desc: 'scoped flag group', pattern: '^(?i:a)b$', matches: ['Ab', 'ab'], rejects: ['aB'] },
  { desc: 'flag turned off again', pattern: '(?i)^a(?-i)b$', matches: ['Ab'], rejects: ['AB'] },
  { desc: 'scoped fold on a class', pattern: '^(?i:[a-c])x$', matches: ['Bx', 'bx'], rejects: ['BX', 'dx'] },
  { desc: 'flag set inside a group ends with it', pattern: '^((?i)a)b$', matches: ['Ab'], rejects: ['aB'] },
  {
    desc: '\\s is [\\t\\n\\f\\r ] (no \\v, no NBSP)',
    pattern: '^\\s$',
    matches: [' ', '\t', '\n', '\f', '\r'],
    rejects: ['\v', '\u00a0', '\u2003'],
  },
  { desc: '\\S is its complement', pattern: '^\\S$', matches: ['\v', 'x', '\u00a0'], rejects: [' '] },
  { desc: '\\d is ASCII only', pattern: '^\\d+$', matches: ['0123'], rejects: ['١٢'] },
  { desc: '\\w is ASCII only', pattern: '^\\w+$', matches: ['a_Z9'], rejects: ['é'] },
  { desc: '\\b is an ASCII word boundary', pattern: '\\bcat\\b', matches: ['a cat.'], rejects: ['concat'] },
  { desc: 'POSIX class', pattern: '^[[:alpha:]]+$', matches: ['abcXYZ'], rejects: ['ab1'] },
  { desc: 'negated POSIX class', pattern: '^[[:^digit:]]+$', matches: ['abc'], rejects: ['a1'] },
  { desc: '[[:space:]] includes \\v', pattern: '^[[:space:]]$', matches: ['\v', ' '], rejects: ['x'] },
  { desc: 'Unicode category', pattern: '^\\pL+$', matches: ['héllo', 'Ωmega'], rejects: ['a1'] },
  { desc: 'Unicode script', pattern: '^\\p{Greek}+$', matches: ['αβγ'], rejects: ['abc'] },
  { desc: 'negated Unicode class', pattern: '^\\P{L}$', matches: ['1', '-'], rejects: ['a'] },
  { desc: '\\p{^Name} negation', pattern: '^\\p{^Greek}$', matches: ['a'], rejects: ['α'] },
  {
    desc: '\\Q...\\E quotes metacharacters',
    pattern: '^\\Qa.b*c\\E$',
    matches: ['a.b*c'],
    rejects: ['axbbc'],
  },
  {
    desc: 'a repetition after \\Q...\\E binds to the last character',
    pattern: '^\\Qab\\E+$',
    matches: ['abbb'],
    rejects: ['abab'],
  },
  {
    desc: 'hex and octal escapes',
    pattern: '^\\x41\\x{1F600}\\101\\0$',
    matches: ['A😀A\0'],
    rejects: ['A😀A'],
  },
  {
    desc: 'braces that are not a repeat are literal',
    pattern: '^http{secure:s?}$',
    matches: ['http{secure:}', 'http{secure:s}'],
    rejects: ['https'],
  },
  { desc: 'counted repetition', pattern: '^a{2,3}$', matches: ['aa', 'aaa'], rejects: ['a', 'aaaa'] },
  { desc: 'leading zero makes braces literal', pattern: '^a{01}$', matches: ['a{01}'], rejects: ['a'] },
  { desc: '] first in a class is literal', pattern: '^[]a]+$', matches: [']a]'], rejects: ['b'] },
  { desc: 'dash at the end of a class is literal', pattern: '^[a-]+$', matches: ['a-a'], rejects: ['b'] },
  {
    desc: 'negated class matches newline (Go ClassNL)',
    pattern: '^[^a]$',
    matches: ['\n', '😀'],
    rejects: ['a'],
  },
  { desc: 'astral range', pattern: '^[\\x{1F600}-\\x{1F64F}]$', matches: ['😀'], rejects: ['a'] },
  { desc: 'escaped punctuation', pattern: '^\\/\\-\\.$', matches: ['/-.'], rejects: ['/-x'] },
  { desc: 'empty alternative', pattern: '^(a|)$', matches: ['a', ''], rejects: ['b'] },
  { desc: 'repeated assertion', pattern: '^*a', matches: ['a'], rejects: ['b'] },
  {
    desc: '(?i)\\W keeps Kelvin and long s out',
    pattern: '(?i)^\\W$',
    matches: ['-'],
    rejects: ['\u212a', '\u017f', 'k'],
  },
  { desc: 'non-greedy quantifier', pattern: '^a+?$', matches: ['aaa'], rejects: [''] },
];

describe('compileGoRegexp: matches like Go', () => {
  for (const c of behaviour) {
    test(c.desc, () => {
      const compiled = compileGoRegexp(c.pattern);
      assert.ok(compiled.ok, compiled.ok ? '' : compiled.errors[0]!.message);
      const re = compiled.value;
      for (const s of c.matches) assert.ok(re.test(s), `${re} should match ${JSON.stringify(s)}`);
      for (const s of c.rejects) assert.ok(!re.test(s), `${re} should not match ${JSON.stringify(s)}`);
    });
  }
});

const translations: { desc: string; pattern: string; source: string; flags: string }[] = [
  { desc: 'named group becomes a JS named group', pattern: '(?P<name>a+)', source: '(?<name>a+)', flags: '' },
  { desc: '\\z becomes $ without the m flag', pattern: 'a\\z', source: 'a$', flags: '' },
  {
    desc: 'leading (?i) becomes the i flag (with u, for Unicode folding)',
    pattern: '(?i)abc',
    source: 'abc',
    flags: 'iu',
  },
  { desc: '(?s). becomes an explicit any-character class', pattern: '(?s).', source: '[\\s\\S]', flags: 'u' },
  { desc: 'POSIX class spelled out', pattern: '[[:xdigit:]]', source: '[0-9A-Fa-f]', flags: '' },
  {
    desc: 'no u flag when nothing needs it',
    pattern: '^/api/v[0-9]+$',
    source: '^\\/api\\/v[0-9]+$',
    flags: '',
  },
  { desc: 'partial fold expanded by hand', pattern: 'a(?i)k', source: 'a[Kk\\u212a]', flags: '' },
  { desc: '(?U) makes quantifiers lazy', pattern: '(?U)a*b+?', source: 'a*?b+', flags: '' },
  {
    desc: 'multi-line anchors as lookarounds',
    pattern: '(?m)^a$',
    source: '(?<![^\\n])a(?![^\\n])',
    flags: '',
  },
];

describe('translateGoRegexp: output', () => {
  for (const c of translations) {
    test(c.desc, () => {
      const result = translateGoRegexp(c.pattern);
      assert.ok(result.ok, result.ok ? '' : result.errors[0]!.message);
      assert.deepEqual(result.value, { source: c.source, flags: c.flags });
    });
  }
});

const rejected: { desc: string; pattern: string; says: string }[] = [
  { desc: 'backreference', pattern: '(a)\\1', says: 'backreference \\1 is not supported' },
  { desc: 'named backreference', pattern: '(?P<x>a)(?P=x)', says: 'backreferences are not supported' },
  { desc: 'lookahead', pattern: 'a(?=b)', says: 'lookahead and lookbehind are not supported' },
  { desc: 'negative lookbehind', pattern: '(?<!a)b', says: 'lookahead and lookbehind are not supported' },
  { desc: 'atomic group', pattern: '(?>a)', says: 'invalid or unsupported Perl syntax' },
  { desc: '\\Z', pattern: 'a\\Z', says: '\\Z is not supported' },
  { desc: 'unknown escape', pattern: '\\y', says: 'invalid escape sequence \\y' },
  { desc: 'nested repetition', pattern: 'a**', says: 'invalid nested repetition operator' },
  { desc: 'possessive quantifier', pattern: 'a++', says: 'invalid nested repetition operator' },
  { desc: 'repeat count above 1000', pattern: 'a{1001}', says: 'invalid repeat count' },
  { desc: 'repeat min above max', pattern: 'a{3,2}', says: 'invalid repeat count' },
  { desc: 'missing argument', pattern: '*a', says: 'missing argument to repetition operator' },
  { desc: 'missing )', pattern: '(a', says: 'missing closing )' },
  { desc: 'unexpected )', pattern: 'a)', says: 'unexpected )' },
  { desc: 'missing ]', pattern: '[a', says: 'missing closing ]' },
  { desc: 'reversed range', pattern: '[z-a]', says: 'invalid character class range' },
  { desc: 'unknown POSIX class', pattern: '[[:foo:]]', says: 'unknown POSIX class' },
  { desc: 'unknown Unicode class', pattern: '\\p{Klingon}', says: 'unknown Unicode class' },
  { desc: 'duplicate group name', pattern: '(?P<a>x)(?P<a>y)', says: 'duplicate capture group name' },
  { desc: 'empty negated flags', pattern: '(?-)a', says: 'invalid or unsupported Perl syntax' },
  {
    desc: 'partial fold on a non-ASCII letter',
    pattern: 'x(?i:é)',
    says: 'only when (?i) covers the whole pattern',
  },
  { desc: 'partial fold on a Unicode class', pattern: 'x(?i:\\pL)', says: 'put (?i) at the very start' },
];

describe('translateGoRegexp: rejected patterns', () => {
  for (const c of rejected) {
    test(c.desc, () => {
      const result = translateGoRegexp(c.pattern);
      assert.ok(!result.ok, `expected ${c.pattern} to be rejected`);
      assert.equal(result.errors[0]!.code, 'RULE_BAD_REGEXP');
      assert.ok(result.errors[0]!.message.includes(c.says), result.errors[0]!.message);
    });
  }
});
