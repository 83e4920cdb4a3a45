import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_RULE_TEMPLATE,
  executeRuleTemplate,
  normalize,
  parseRuleTemplate,
  type ModelFields,
} from '../../../src/providers/labels/index.js';

const FIELDS: ModelFields = { Name: 'text', ContainerName: 'text', Labels: 'map' };
const MODEL = {
  Name: 'web-shop',
  ContainerName: 'shop_web.1',
  Labels: {
    'com.docker.compose.service': 'web',
    domain: 'Example.COM',
    empty: '',
    'a.b': 'dotted',
    tier: 'a-b-c',
  },
};

const run = (source: string) => {
  const parsed = parseRuleTemplate(source, FIELDS);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors[0]!.message);
  return executeRuleTemplate(parsed.value, MODEL);
};

describe('rule templates: the subset of Go templates default rules use', () => {
  const cases = [
    { desc: "Traefik's default", source: DEFAULT_RULE_TEMPLATE, want: 'Host(`web-shop`)' },
    { desc: 'a field', source: 'Host(`{{ .Name }}.localhost`)', want: 'Host(`web-shop.localhost`)' },
    { desc: 'the container name', source: '{{ .ContainerName }}', want: 'shop_web.1' },
    { desc: 'normalize', source: '{{ normalize .ContainerName }}', want: 'shop-web-1' },
    { desc: 'index on the labels', source: '{{ index .Labels "com.docker.compose.service" }}', want: 'web' },
    { desc: 'index of a missing label is empty', source: '[{{ index .Labels "nope" }}]', want: '[]' },
    { desc: 'a label as a field', source: '{{ .Labels.domain }}', want: 'Example.COM' },
    {
      desc: 'a missing label as a field has no value, as in Go',
      source: '{{ .Labels.nope }}',
      want: '<no value>',
    },
    { desc: 'pipelines', source: '{{ .Labels.domain | lower }}', want: 'example.com' },
    { desc: 'upper and trim', source: '{{ "  x " | trim | upper }}', want: 'X' },
    {
      desc: "replace, in sprig's order (old, new, source)",
      source: '{{ .Name | replace "-" "." }}',
      want: 'web.shop',
    },
    {
      desc: 'replace with all arguments',
      source: '{{ replace "_" "-" .ContainerName }}',
      want: 'shop-web.1',
    },
    {
      desc: 'trimPrefix and trimSuffix',
      source: '{{ .Name | trimPrefix "web-" }} {{ trimSuffix "-shop" .Name }}',
      want: 'shop web',
    },
    {
      desc: 'default when empty',
      source: '{{ index .Labels "empty" | default "fallback" }}',
      want: 'fallback',
    },
    { desc: 'default when missing', source: '{{ .Labels.nope | default "fallback" }}', want: 'fallback' },
    { desc: 'default when set', source: '{{ .Labels.domain | default "fallback" }}', want: 'Example.COM' },
    {
      desc: 'splitList with first and last',
      source: '{{ splitList "-" .Labels.tier | first }}{{ .Labels.tier | splitList "-" | last }}',
      want: 'ac',
    },
    { desc: 'parentheses', source: '{{ lower (index .Labels "domain") }}', want: 'example.com' },
    {
      desc: 'double-quoted strings with escapes, raw strings',
      source: '{{ "a\\tb" }}|{{ `c\\d` }}',
      want: 'a\tb|c\\d',
    },
    {
      desc: 'trim markers and comments',
      source: 'Host(`a`)  {{- /* why */ -}}  && Path(`/`)',
      want: 'Host(`a`)&& Path(`/`)',
    },
    { desc: 'a list printed as Go prints it', source: '{{ splitList "-" .Labels.tier }}', want: '[a b c]' },
    {
      desc: 'text without actions',
      source: 'Host(`static.example.com`)',
      want: 'Host(`static.example.com`)',
    },
    { desc: 'a lone closing brace pair is text', source: 'a }} b', want: 'a }} b' },
  ];
  for (const c of cases) {
    test(c.desc, () => assert.deepEqual(run(c.source), { ok: true, value: c.want }));
  }
});

describe('rule templates: what is refused while parsing, with the column', () => {
  const cases = [
    {
      desc: 'if',
      source: 'Host(`{{ if .Name }}a{{ end }}`)',
      column: 10,
      message: '"if" is not supported in a default rule',
    },
    {
      desc: 'range',
      source: '{{range .Labels}}{{end}}',
      column: 3,
      message: '"range" is not supported in a default rule',
    },
    {
      desc: 'define',
      source: '{{ define "x" }}{{ end }}',
      column: 4,
      message: '"define" is not supported in a default rule',
    },
    {
      desc: 'template',
      source: '{{ template "x" }}',
      column: 4,
      message: '"template" is not supported in a default rule',
    },
    {
      desc: 'with',
      source: '{{ with .Name }}{{ end }}',
      column: 4,
      message: '"with" is not supported in a default rule',
    },
    {
      desc: 'variables',
      source: '{{ $n := .Name }}',
      column: 4,
      message: 'variables are not supported in a default rule',
    },
    {
      desc: 'numbers',
      source: '{{ index .Labels 0 }}',
      column: 18,
      message: 'numbers are not supported in a default rule',
    },
    { desc: 'constants', source: '{{ true }}', column: 4, message: 'the constant true is not supported' },
    {
      desc: 'an unknown function',
      source: 'Host(`{{ title .Name }}`)',
      column: 10,
      message: 'unknown function "title"',
    },
    {
      desc: 'an unknown field',
      source: '{{ .Image }}',
      column: 4,
      message: 'unknown field .Image; the fields are .Name, .ContainerName, .Labels (with index)',
    },
    {
      desc: 'a field of a text field',
      source: '{{ .Name.First }}',
      column: 4,
      message: '.Name.First does not exist: .Name has no fields',
    },
    {
      desc: 'the whole model',
      source: '{{ . }}',
      column: 4,
      message: '"." (the whole model) cannot be used',
    },
    {
      desc: 'too many arguments',
      source: '{{ lower .Name .Name }}',
      column: 4,
      message: 'lower takes 1 argument, got 2',
    },
    {
      desc: 'too few arguments, piped value counted',
      source: '{{ .Name | replace "a" }}',
      column: 12,
      message: 'replace takes 3 arguments, got 2',
    },
    {
      desc: 'a function as an argument without parentheses',
      source: '{{ lower normalize .Name }}',
      column: 10,
      message: 'normalize needs arguments: write (normalize …)',
    },
    {
      desc: 'piping into a field',
      source: '{{ .Name | .Labels }}',
      column: 12,
      message: 'only a function can take a piped value',
    },
    {
      desc: 'arguments to a field',
      source: '{{ .Name "x" }}',
      column: 4,
      message: 'only a function takes arguments',
    },
    { desc: 'an empty action', source: 'a{{ }}', column: 2, message: 'empty action' },
    {
      desc: 'an unclosed action',
      source: 'Host({{ .Name)',
      column: 6,
      message: 'action is never closed with "}}"',
    },
    {
      desc: 'an unclosed string',
      source: '{{ "abc }}',
      column: 4,
      message: 'string opened with " is never closed',
    },
    { desc: 'a bad escape', source: '{{ "a\\qb" }}', column: 6, message: 'invalid escape \\q' },
    { desc: 'an unclosed comment', source: '{{/* a }}', column: 1, message: 'comment is never closed' },
    { desc: 'a missing parenthesis', source: '{{ lower (.Name }}', column: 17, message: 'missing ")"' },
    { desc: 'an empty command', source: '{{ .Name | }}', column: 12, message: 'missing command' },
    {
      desc: 'a character constant',
      source: "{{ 'a' }}",
      column: 4,
      message: 'character constants are not supported; use "text"',
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const parsed = parseRuleTemplate(c.source, FIELDS);
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      const [error] = parsed.errors;
      assert.equal(error!.code, 'CONFIG_PARSE');
      assert.ok(
        error!.detail.startsWith(`template ${JSON.stringify(c.source)}, column ${c.column}: ${c.message}`),
        error!.detail,
      );
    });
  }
});

describe('rule templates: type mistakes are found when run', () => {
  const cases = [
    {
      desc: 'a map where text is needed',
      source: '{{ .Labels | lower }}',
      message: 'lower needs text, got a map',
    },
    {
      desc: 'text where a list is needed',
      source: '{{ first .Name }}',
      message: 'first needs a list, got text',
    },
    {
      desc: 'index on text',
      source: '{{ index .Name "a" }}',
      message: 'index needs a map such as .Labels, got text',
    },
    {
      desc: 'no value where text is needed',
      source: '{{ .Labels.nope | lower }}',
      message: 'lower needs text, got no value',
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const result = run(c.source);
      assert.equal(result.ok, false);
      if (!result.ok)
        assert.equal(result.errors[0]!.detail, `template ${JSON.stringify(c.source)}: ${c.message}`);
    });
  }
});

describe('normalize, as Traefik', () => {
  const cases = [
    { desc: 'compose name', input: 'web_shop', want: 'web-shop' },
    { desc: 'leading slash and dots', input: '/my.app_1', want: 'my-app-1' },
    { desc: 'runs of separators become one dash, none at the ends', input: '--a__b..c--', want: 'a-b-c' },
    { desc: 'letters and digits of any script stay', input: 'café_東京_٣', want: 'café-東京-٣' },
    { desc: 'nothing left', input: '/_.', want: '' },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(normalize(c.input), c.want));
});
