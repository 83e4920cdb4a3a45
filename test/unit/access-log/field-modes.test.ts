import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FieldModes } from '../../../src/dataplane/observability/access-log/field-modes.js';
import type { FieldMode } from '../../../src/dataplane/observability/access-log/field-modes.js';
import { canonicalHeaderName } from '../../../src/dataplane/observability/access-log/header-name.js';

const modes = (
  defaultMode: FieldMode,
  names: Record<string, FieldMode>,
  headerDefault: FieldMode = 'drop',
  headers: Record<string, FieldMode> = {},
) => new FieldModes({ defaultMode, names, headers: { defaultMode: headerDefault, names: headers } });

describe('FieldModes', () => {
  const fieldCases = [
    { desc: 'keep by default', modes: modes('keep', {}), field: 'ClientHost', want: true },
    {
      desc: 'a dropped field',
      modes: modes('keep', { ClientUsername: 'drop' }),
      field: 'ClientUsername',
      want: false,
    },
    {
      desc: 'names match whatever their case',
      modes: modes('keep', { clientusername: 'drop' }),
      field: 'ClientUsername',
      want: false,
    },
    {
      desc: 'drop by default, one kept',
      modes: modes('drop', { RequestPath: 'keep' }),
      field: 'RequestPath',
      want: true,
    },
    {
      desc: 'drop by default',
      modes: modes('drop', { RequestPath: 'keep' }),
      field: 'RequestHost',
      want: false,
    },
    // Traefik cannot redact a field: redact means the default mode.
    {
      desc: 'redact on a field is the default (keep)',
      modes: modes('keep', { Duration: 'redact' }),
      field: 'Duration',
      want: true,
    },
    {
      desc: 'redact on a field is the default (drop)',
      modes: modes('drop', { Duration: 'redact' }),
      field: 'Duration',
      want: false,
    },
    { desc: 'a redact default keeps fields', modes: modes('redact', {}), field: 'Duration', want: true },
  ];
  for (const c of fieldCases) test(c.desc, () => assert.equal(c.modes.keepsField(c.field), c.want));

  const headerCases = [
    { desc: 'headers are dropped by default', modes: modes('keep', {}), header: 'user-agent', want: 'drop' },
    {
      desc: 'a listed header',
      modes: modes('keep', {}, 'drop', { 'User-Agent': 'redact' }),
      header: 'user-agent',
      want: 'redact',
    },
    {
      desc: 'the header default',
      modes: modes('keep', {}, 'keep', { Authorization: 'drop' }),
      header: 'accept',
      want: 'keep',
    },
    {
      desc: 'a header dropped by name',
      modes: modes('keep', {}, 'keep', { Authorization: 'drop' }),
      header: 'authorization',
      want: 'drop',
    },
  ];
  for (const c of headerCases) test(c.desc, () => assert.equal(c.modes.headerMode(c.header), c.want));

  test('headers are not collected at all when every one is dropped', () => {
    assert.equal(modes('keep', {}).logsHeaders, false);
    assert.equal(modes('keep', {}, 'drop', { Accept: 'drop' }).logsHeaders, false);
    assert.equal(modes('keep', {}, 'drop', { Accept: 'keep' }).logsHeaders, true);
    assert.equal(modes('keep', {}, 'redact').logsHeaders, true);
  });

  const names = [
    ['user-agent', 'User-Agent'],
    ['x-real-ip', 'X-Real-Ip'],
    ['x-forwarded-for', 'X-Forwarded-For'],
    ['content-md5', 'Content-Md5'],
    ['www-authenticate', 'Www-Authenticate'],
  ] as const;
  for (const [name, want] of names)
    test(`Go spells ${name} ${want}`, () => assert.equal(canonicalHeaderName(name), want));
});
