import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resourceError } from '../../../src/api/resource-paths.js';
import { ConfigError } from '../../../src/config/errors.js';

const cases: { desc: string; path: string; want: ReturnType<typeof resourceError> }[] = [
  {
    desc: 'a router field',
    path: 'http.routers.web@file.rule',
    want: { section: 'routers', name: 'web@file', message: 'rule: broken' },
  },
  {
    desc: 'a name with dots, and a list index',
    path: 'http.routers.my.app@file.entryPoints[1]',
    want: { section: 'routers', name: 'my.app@file', message: 'entryPoints[1]: broken' },
  },
  {
    desc: 'the resource itself',
    path: 'http.middlewares.auth@docker',
    want: { section: 'middlewares', name: 'auth@docker', message: 'broken' },
  },
  {
    desc: 'a nested service field',
    path: 'http.services.api@file.loadBalancer.servers',
    want: { section: 'services', name: 'api@file', message: 'loadBalancer.servers: broken' },
  },
  { desc: 'a name not yet qualified (a provider error)', path: 'http.routers.web.rule', want: undefined },
  { desc: 'another section', path: 'tls.options.default', want: undefined },
  { desc: 'a file', path: 'dynamic/app.yml: http.routers.web.rule', want: undefined },
];

describe('errors to resources', () => {
  for (const c of cases) {
    test(c.desc, () =>
      assert.deepEqual(resourceError(new ConfigError('CONFIG_INVALID', c.path, 'broken')), c.want),
    );
  }
});
