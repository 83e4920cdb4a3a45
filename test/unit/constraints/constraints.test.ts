import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConstraints } from '../../../src/providers/constraints/index.js';

const LABELS = { 'traefik.tags': 'public,web', env: 'prod', team: 'Payments', 'empty.label': '' };

describe('constraints: matching', () => {
  const cases = [
    { desc: 'an empty expression matches everything', expr: '', want: true },
    { desc: 'blank is empty', expr: '   ', want: true },
    { desc: 'Label, equal', expr: 'Label(`env`, `prod`)', want: true },
    { desc: 'Label, different', expr: 'Label(`env`, `staging`)', want: false },
    { desc: 'Label is case-sensitive', expr: 'Label(`team`, `payments`)', want: false },
    { desc: 'a missing label reads as empty', expr: 'Label(`missing`, ``)', want: true },
    { desc: 'double-quoted strings', expr: 'Label("env", "prod")', want: true },
    {
      desc: 'LabelRegex is unanchored, as Go MatchString',
      expr: 'LabelRegex(`traefik.tags`, `web`)',
      want: true,
    },
    { desc: 'LabelRegex anchored', expr: 'LabelRegex(`team`, `^pay`)', want: false },
    { desc: 'LabelRegex with Go flags', expr: 'LabelRegex(`team`, `(?i)^pay`)', want: true },
    { desc: 'LabelRegex on a missing label sees ""', expr: 'LabelRegex(`missing`, `^$`)', want: true },
    { desc: 'not', expr: '!Label(`env`, `staging`)', want: true },
    { desc: 'double not', expr: '!!Label(`env`, `prod`)', want: true },
    { desc: 'and', expr: 'Label(`env`, `prod`) && Label(`team`, `Payments`)', want: true },
    { desc: 'and, one false', expr: 'Label(`env`, `prod`) && Label(`team`, `Ops`)', want: false },
    { desc: 'or', expr: 'Label(`env`, `dev`) || Label(`team`, `Payments`)', want: true },
    {
      desc: '&& binds tighter than ||',
      expr: 'Label(`env`, `prod`) || Label(`env`, `x`) && Label(`env`, `y`)',
      want: true,
    },
    {
      desc: 'parentheses override',
      expr: '(Label(`env`, `prod`) || Label(`env`, `x`)) && Label(`env`, `y`)',
      want: false,
    },
    { desc: '! binds tighter than &&', expr: '!Label(`env`, `x`) && Label(`env`, `prod`)', want: true },
    { desc: 'not of a group', expr: '!(Label(`env`, `prod`) || Label(`env`, `dev`))', want: false },
    {
      desc: 'newlines and tabs between tokens',
      expr: 'Label(`env`,\n\t`prod`)\n&& !Label(`team`, `Ops`)',
      want: true,
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const parsed = parseConstraints(c.expr);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors[0]!.message);
      assert.equal(parsed.value(LABELS), c.want);
    });
  }
});

describe('constraints: errors name the column', () => {
  const cases = [
    {
      desc: 'a dangling operator',
      expr: 'Label(`a`, `b`) &&',
      code: 'RULE_SYNTAX',
      detail: 'column 19: expected Label(…), LabelRegex(…) or "(", found the end of the expression',
    },
    {
      desc: 'a single &',
      expr: 'Label(`a`, `b`) & Label(`c`, `d`)',
      code: 'RULE_SYNTAX',
      detail: 'column 17: expected "&&"',
    },
    {
      desc: 'an unknown function',
      expr: 'Tag(`a`)',
      code: 'RULE_UNKNOWN_MATCHER',
      detail: 'column 1: unknown function "Tag" (Label or LabelRegex)',
    },
    {
      desc: 'function names are case-sensitive, as in Traefik',
      expr: 'label(`a`, `b`)',
      code: 'RULE_UNKNOWN_MATCHER',
      detail: 'column 1: unknown function "label" (Label or LabelRegex)',
    },
    {
      desc: 'one argument',
      expr: 'Label(`a`)',
      code: 'RULE_SYNTAX',
      detail: 'column 10: expected "," and a second argument to Label, found ")"',
    },
    {
      desc: 'three arguments',
      expr: 'Label(`a`, `b`, `c`)',
      code: 'RULE_SYNTAX',
      detail: 'column 15: expected ")": Label takes two arguments, found ","',
    },
    {
      desc: 'an unquoted argument',
      expr: 'Label(env, `b`)',
      code: 'RULE_SYNTAX',
      detail: 'column 7: expected the label name of Label, a quoted string, found "env"',
    },
    {
      desc: 'an unclosed string',
      expr: 'Label(`a`, `b)',
      code: 'RULE_SYNTAX',
      detail: 'column 12: string opened with ` is never closed',
    },
    {
      desc: 'an unclosed parenthesis',
      expr: '(Label(`a`, `b`)',
      code: 'RULE_SYNTAX',
      detail: 'column 17: expected a closing ")", found the end of the expression',
    },
    {
      desc: 'trailing tokens',
      expr: 'Label(`a`, `b`) Label(`c`, `d`)',
      code: 'RULE_SYNTAX',
      detail: 'column 17: unexpected "Label" after a complete expression',
    },
    {
      desc: 'a stray character',
      expr: 'Label(`a`, `b`) ; x',
      code: 'RULE_SYNTAX',
      detail: 'column 17: unexpected character ";"',
    },
    {
      desc: 'a bad escape',
      expr: 'Label("a\\z", `b`)',
      code: 'RULE_SYNTAX',
      detail: 'column 9: invalid escape \\z',
    },
    {
      desc: 'a regexp Go rejects',
      expr: 'LabelRegex(`a`, `(?<=x)y`)',
      code: 'RULE_BAD_REGEXP',
      detail: 'column 17: regexp "(?<=x)y"',
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const parsed = parseConstraints(c.expr);
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      assert.equal(parsed.errors[0]!.code, c.code);
      assert.equal(parsed.errors[0]!.path, '');
      assert.ok(parsed.errors[0]!.detail.startsWith(c.detail), parsed.errors[0]!.detail);
    });
  }
});
