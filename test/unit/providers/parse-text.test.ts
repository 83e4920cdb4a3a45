import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatOf, parseConfigText } from '../../../src/providers/index.js';

describe('formatOf', () => {
  const cases = [
    { desc: '.yml is YAML', path: 'a/b.yml', want: 'yaml' },
    { desc: '.yaml is YAML', path: 'b.yaml', want: 'yaml' },
    { desc: '.toml is TOML', path: 'b.toml', want: 'toml' },
    { desc: 'the extension is matched in any case, as Traefik', path: 'B.YML', want: 'yaml' },
    { desc: 'other extensions are not configuration', path: 'b.json', want: undefined },
    { desc: 'a backup copy is not configuration', path: 'b.yml~', want: undefined },
    { desc: 'no extension', path: 'Makefile', want: undefined },
  ] as const;
  for (const c of cases) test(c.desc, () => assert.equal(formatOf(c.path), c.want));
});

describe('parseConfigText', () => {
  const cases = [
    {
      desc: 'YAML: an unclosed flow sequence is reported where the stream ends',
      format: 'yaml',
      text: 'http:\n  routers:\n    a: [1,\n',
      where: 'dyn/app.yml:4:1',
      says: /invalid YAML: unexpected end of the stream within a flow collection/,
    },
    {
      desc: 'YAML: bad indentation names the line and column of the offending key',
      format: 'yaml',
      text: 'http:\n  routers:\n    web:\n      rule: x\n     service: y\n',
      where: 'dyn/app.yml:5:6',
      says: /invalid YAML: bad indentation/,
    },
    {
      desc: 'YAML: a duplicated key is an error, as in Go',
      format: 'yaml',
      text: 'http:\n  routers: {}\n  routers: {}\n',
      where: 'dyn/app.yml:3:3',
      says: /duplicated mapping key/,
    },
    {
      desc: 'TOML: a key without a value',
      format: 'toml',
      text: '[http.routers.web]\nrule = "Host(`a`)"\nservice =\n',
      where: 'dyn/app.yml:3:10',
      says: /invalid TOML: invalid value/,
    },
    {
      desc: 'TOML: an unterminated string',
      format: 'toml',
      text: '[http.routers.web]\nrule = "Host(`a`)\n',
      where: 'dyn/app.yml:2:18',
      says: /invalid TOML: .*string/,
    },
  ] as const;
  for (const c of cases) {
    test(c.desc, () => {
      const result = parseConfigText(c.text, 'dyn/app.yml', c.format);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.errors.length, 1);
      const [error] = result.errors;
      assert.equal(error!.code, 'CONFIG_PARSE');
      assert.equal(error!.path, c.where);
      assert.match(error!.detail, c.says);
    });
  }

  const valid = [
    { desc: 'an empty YAML file is no configuration', format: 'yaml', text: '', want: undefined },
    {
      desc: 'a YAML file of comments only is no configuration',
      format: 'yaml',
      text: '# nothing\n',
      want: null,
    },
    { desc: 'an empty TOML file is an empty table', format: 'toml', text: '', want: {} },
    {
      desc: 'YAML is read with the core schema: a date stays a string, yes stays a string',
      format: 'yaml',
      text: 'a: 2001-12-14\nb: yes\nc: true\nd: 12\n',
      want: { a: '2001-12-14', b: 'yes', c: true, d: 12 },
    },
    { desc: 'a byte-order mark is skipped (YAML)', format: 'yaml', text: '\uFEFFa: 1\n', want: { a: 1 } },
    { desc: 'a byte-order mark is skipped (TOML)', format: 'toml', text: '\uFEFFa = 1\n', want: { a: 1 } },
  ] as const;
  for (const c of valid) {
    test(c.desc, () => {
      const result = parseConfigText(c.text, 'f', c.format);
      assert.ok(result.ok);
      // Through JSON: smol-toml's tables have no prototype.
      assert.deepEqual(
        result.value === undefined ? undefined : JSON.parse(JSON.stringify(result.value)),
        c.want,
      );
    });
  }
});
