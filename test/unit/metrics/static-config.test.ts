import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StaticConfig } from '../../../src/config/static/index.js';
import { assertErrors, failed, loaded, type WantError } from '../static-config/helpers.js';

describe('the metrics section', () => {
  test('metrics are off unless configured', () => {
    assert.equal(loaded({ argv: ['--entryPoints.web.address=:80'] }).metrics, undefined);
  });

  test('--metrics.prometheus turns them on with Traefik defaults and adds the traefik entrypoint', () => {
    const config = loaded({ argv: ['--entryPoints.web.address=:80', '--metrics.prometheus'] });
    assert.deepEqual(config.metrics, {
      prometheus: {
        buckets: [0.1, 0.3, 1.2, 5.0],
        addEntryPointsLabels: true,
        addRoutersLabels: false,
        addServicesLabels: true,
        entryPoint: 'traefik',
        manualRouting: false,
        headerLabels: {},
      },
    });
    assert.equal(config.entryPoints.traefik?.port, 8080);
  });

  const cases: {
    desc: string;
    argv: string[];
    pick: (c: StaticConfig) => unknown;
    want: unknown;
  }[] = [
    {
      desc: 'buckets from a flag list',
      argv: ['--metrics.prometheus.buckets=0.05,0.5,2.5'],
      pick: (c) => c.metrics?.prometheus?.buckets,
      want: [0.05, 0.5, 2.5],
    },
    {
      desc: 'header labels by name',
      argv: ['--metrics.prometheus.headerLabels.useragent=User-Agent'],
      pick: (c) => c.metrics?.prometheus?.headerLabels,
      want: { useragent: 'User-Agent' },
    },
    {
      desc: 'metrics on another entrypoint add no traefik entrypoint',
      argv: ['--metrics.prometheus.entryPoint=web'],
      pick: (c) => Object.keys(c.entryPoints),
      want: ['web'],
    },
    {
      desc: 'manualRouting adds no traefik entrypoint',
      argv: ['--metrics.prometheus.manualRouting'],
      pick: (c) => Object.keys(c.entryPoints),
      want: ['web'],
    },
  ];
  for (const c of cases) {
    test(c.desc, () =>
      assert.deepEqual(c.pick(loaded({ argv: ['--entryPoints.web.address=:80', ...c.argv] })), c.want),
    );
  }

  test('environment variables set the same keys', () => {
    const config = loaded({
      argv: ['--entryPoints.web.address=:80'],
      env: {
        SWITCHYARD_METRICS_PROMETHEUS_ADDROUTERSLABELS: 'true',
        SWITCHYARD_METRICS_PROMETHEUS_ENTRYPOINT: 'web',
      },
    });
    assert.equal(config.metrics?.prometheus?.addRoutersLabels, true);
    assert.equal(config.metrics?.prometheus?.entryPoint, 'web');
  });

  const refused: { desc: string; argv: string[]; want: WantError }[] = [
    {
      desc: 'buckets out of order',
      argv: ['--metrics.prometheus.buckets=1,0.5'],
      want: { code: 'STATIC_INVALID', path: 'metrics.prometheus.buckets', says: /increasing order/ },
    },
    {
      desc: 'a bucket that is not a number',
      argv: ['--metrics.prometheus.buckets=fast'],
      want: { code: 'STATIC_INVALID', path: 'metrics.prometheus.buckets[0]', says: /number/ },
    },
    {
      desc: 'a header label that is not a label name',
      argv: ['--metrics.prometheus.headerLabels.user-agent=User-Agent'],
      want: {
        code: 'STATIC_INVALID',
        path: 'metrics.prometheus.headerLabels.user-agent',
        says: /not a Prometheus label name/,
      },
    },
    {
      desc: 'a header label the metrics already have',
      argv: ['--metrics.prometheus.headerLabels.service=X-Service'],
      want: {
        code: 'STATIC_INVALID',
        path: 'metrics.prometheus.headerLabels.service',
        says: /already have/,
      },
    },
    {
      desc: 'an entrypoint that does not exist',
      argv: ['--metrics.prometheus.entryPoint=admin'],
      want: {
        code: 'STATIC_INVALID',
        path: 'metrics.prometheus.entryPoint',
        says: /unknown entrypoint "admin"/,
      },
    },
  ];
  for (const c of refused) {
    test(`refuses ${c.desc}`, () =>
      assertErrors(failed({ argv: ['--entryPoints.web.address=:80', ...c.argv] }), [c.want]));
  }
});
