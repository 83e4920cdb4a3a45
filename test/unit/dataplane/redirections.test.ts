import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StaticConfig } from '../../../src/config/static/index.js';
import { entryPointRedirections, NOOP_SERVICE } from '../../../src/dataplane/routing/index.js';

describe('entryPointRedirections', () => {
  const entryPoints = StaticConfig.parse({
    entryPoints: {
      web: { address: ':80', http: { redirections: { entryPoint: { to: 'websecure' } } } },
      alt: {
        address: ':81',
        http: {
          redirections: { entryPoint: { to: ':8443', scheme: 'https', permanent: false, priority: 10 } },
        },
      },
      websecure: { address: ':443' },
    },
  }).entryPoints;

  test('a catch-all router per redirecting entrypoint, with a redirectScheme to the target port', () => {
    const { routers, middlewares } = entryPointRedirections(entryPoints, () => undefined);
    assert.deepEqual(routers, {
      'web-to-websecure@internal': {
        rule: 'HostRegexp(`^.+$`)',
        entryPoints: ['web'],
        middlewares: ['redirect-web-to-websecure@internal'],
        service: NOOP_SERVICE,
        priority: Number.MAX_SAFE_INTEGER - 1,
      },
      'alt-to-8443@internal': {
        rule: 'HostRegexp(`^.+$`)',
        entryPoints: ['alt'],
        middlewares: ['redirect-alt-to-8443@internal'],
        service: NOOP_SERVICE,
        priority: 10,
      },
    });
    assert.deepEqual(middlewares, {
      'redirect-web-to-websecure@internal': {
        type: 'redirectScheme',
        scheme: 'https',
        port: '443',
        permanent: true,
      },
      'redirect-alt-to-8443@internal': {
        type: 'redirectScheme',
        scheme: 'https',
        port: '8443',
        permanent: false,
      },
    });
  });

  test('the port the target listener really got wins (port 0)', () => {
    const { middlewares } = entryPointRedirections(entryPoints, (name) =>
      name === 'websecure' ? 34567 : undefined,
    );
    assert.equal((middlewares['redirect-web-to-websecure@internal'] as { port: string }).port, '34567');
  });
});
