import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import {
  buildConfiguration,
  containerFromInspect,
  type BuildOptions,
  type DockerInspect,
} from '../../../src/providers/docker/index.js';
import { DEFAULT_RULE_TEMPLATE } from '../../../src/providers/labels/index.js';

// Golden tests, as Traefik's pkg/provider/docker/config_test.go but with the expected
// configuration in files: containers are `docker inspect` documents under
// test/fixtures/docker/, the expected output under test/fixtures/docker/golden/.
// Regenerate with UPDATE_GOLDEN=1 after a deliberate change, and read the diff.

const FIXTURES = join(import.meta.dirname, '../../fixtures/docker');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const DEFAULTS: BuildOptions = {
  exposedByDefault: true,
  defaultRule: DEFAULT_RULE_TEMPLATE,
  network: '',
  useBindPortIP: false,
  allowEmptyServices: false,
  constraints: '',
  providerName: 'docker',
};

type Output = {
  routers: Record<string, unknown>;
  services: Record<string, { servers?: { url: string }[] }>;
  middlewares: Record<string, unknown>;
  errors: { code: string; path: string; message: string }[];
};

interface Case {
  readonly desc: string;
  readonly fixture: string;
  readonly golden: string;
  readonly options?: Partial<BuildOptions>;
  /** Checks of the point the case makes, so that a regenerated golden file cannot hide it. */
  readonly check: (got: Output) => void;
}

const urls = (got: Output, service: string) => got.services[service]?.servers?.map((s) => s.url);
const errorPaths = (got: Output) => got.errors.map((e) => `${e.code} ${e.path}`);

const cases: Case[] = [
  {
    desc: 'defaults: a service and a router per container, named from compose labels or the container name, on the lowest port',
    fixture: 'defaults',
    golden: 'defaults',
    check: (got) => {
      assert.deepEqual(Object.keys(got.routers).sort(), ['web-shop', 'whoami']);
      assert.deepEqual(got.routers['web-shop'], { rule: 'Host(`web-shop`)', service: 'web-shop' });
      assert.deepEqual(urls(got, 'web-shop'), ['http://172.20.0.2:443']);
      assert.deepEqual(errorPaths(got), [
        'CONFIG_INVALID container shop-worker-1: http.services.worker-shop',
      ]);
    },
  },
  {
    desc: 'server labels: port and scheme build the URL, a url label is used as is, and both together are refused',
    fixture: 'server-labels',
    golden: 'server-labels',
    check: (got) => {
      assert.deepEqual(urls(got, 'api-svc'), ['https://172.21.0.2:8443']);
      assert.deepEqual(got.services.legacy?.servers, [{ url: 'http://10.0.0.9:8080', weight: 3 }]);
      assert.equal((got.routers['legacy-app'] as { service: string }).service, 'legacy');
      assert.deepEqual(errorPaths(got), [
        'CONFIG_INVALID container app-broken-1: traefik.http.services.badport.loadbalancer.server.port',
        'CONFIG_INVALID container app-broken-1: traefik.http.services.both.loadbalancer.server.url',
      ]);
    },
  },
  {
    desc: 'compose replicas: one load balancer with every replica, one router',
    fixture: 'replicas',
    golden: 'replicas',
    check: (got) => {
      assert.deepEqual(urls(got, 'api')?.sort(), [
        'http://172.20.0.11:3000',
        'http://172.20.0.12:3000',
        'http://172.20.0.13:3000',
      ]);
      assert.deepEqual(Object.keys(got.routers), ['api']);
      assert.deepEqual(got.errors, []);
    },
  },
  {
    desc: 'conflicts: resources defined differently by two containers are dropped, naming both; equal ones stay',
    fixture: 'conflicts',
    golden: 'conflicts',
    check: (got) => {
      assert.deepEqual(got.routers, {});
      assert.deepEqual(got.services, {});
      assert.deepEqual(Object.keys(got.middlewares), ['gzip']);
      for (const error of got.errors) {
        assert.equal(error.code, 'CONFIG_CONFLICT');
        assert.match(error.message, /blue-app-1, green-app-1/);
      }
      assert.deepEqual(
        got.errors.map((e) => e.path),
        ['http.routers.app', 'http.services.app', 'http.middlewares.secure'],
      );
    },
  },
  {
    desc: 'linking: a router without a service gets the only one, is refused among several; no automatic router then',
    fixture: 'linking',
    golden: 'linking',
    check: (got) => {
      assert.equal((got.routers.one as { service: string }).service, 'one-svc');
      assert.equal((got.routers.norule as { rule: string }).rule, 'Host(`norule-multi`)');
      assert.equal(got.routers.front, undefined);
      assert.equal(got.routers['norouter-multi'], undefined);
      assert.deepEqual(Object.keys(got.services).sort(), [
        'a',
        'admin',
        'b',
        'front',
        'norule-multi',
        'one-svc',
      ]);
      assert.deepEqual(errorPaths(got), ['CONFIG_INVALID container multi-two-1: traefik.http.routers.front']);
    },
  },
  {
    desc: 'filters: stopped, disabled and not-healthy containers are left out; allownonrunning keeps an empty service',
    fixture: 'filters',
    golden: 'filters',
    check: (got) => {
      assert.deepEqual(Object.keys(got.services).sort(), [
        'enabled',
        'healthy',
        'internal',
        'running',
        'stopped-allowed',
      ]);
      assert.deepEqual(got.services['stopped-allowed']?.servers, []);
    },
  },
  {
    desc: 'filters with allowEmptyServices: starting and unhealthy containers stay, without servers',
    fixture: 'filters',
    golden: 'filters-allow-empty',
    options: { allowEmptyServices: true },
    check: (got) => {
      assert.deepEqual(got.services.starting?.servers, []);
      assert.deepEqual(got.services.unhealthy?.servers, []);
      assert.deepEqual(urls(got, 'healthy'), ['http://172.17.0.6:80']);
    },
  },
  {
    desc: 'filters with exposedByDefault=false and constraints: only enabled containers that match',
    fixture: 'filters',
    golden: 'filters-constrained',
    options: {
      exposedByDefault: false,
      constraints: 'Label(`tier`, `public`) || !LabelRegex(`tier`, `^int`)',
    },
    check: (got) => assert.deepEqual(Object.keys(got.services), ['enabled']),
  },
  {
    desc: 'filters with constraints that do not parse: nothing, and the error names the column',
    fixture: 'filters',
    golden: 'filters-bad-constraints',
    options: { constraints: 'Label(`tier`, `public`) &&' },
    check: (got) => {
      assert.deepEqual(got.services, {});
      assert.deepEqual(got.errors, [
        {
          code: 'RULE_SYNTAX',
          path: 'providers.docker.constraints',
          message: 'column 27: expected Label(…), LabelRegex(…) or "(", found the end of the expression',
        },
      ]);
    },
  },
  {
    desc: 'networks: label network, provider network, first network by name, host mode, container mode, IPv6',
    fixture: 'networks',
    golden: 'networks',
    options: { network: 'proxy' },
    check: (got) => {
      assert.deepEqual(urls(got, 'label-network'), ['http://10.2.0.2:80']);
      assert.deepEqual(urls(got, 'provider-network'), ['http://10.3.0.3:80']);
      assert.deepEqual(urls(got, 'first-network'), ['http://10.8.0.4:80']);
      assert.deepEqual(urls(got, 'missing-label-network'), ['http://10.1.0.5:80']);
      assert.deepEqual(urls(got, 'host-mode'), ['http://127.0.0.1:9090']);
      assert.deepEqual(urls(got, 'sidecar'), ['http://10.2.0.7:8081']);
      assert.deepEqual(urls(got, 'ipv6-only'), ['http://[fd00:dead:beef::8]:80']);
      assert.equal(got.services.pod, undefined);
    },
  },
  {
    desc: 'networks with useBindPortIP: the published address when it is specific, the host IP in host mode',
    fixture: 'networks',
    golden: 'networks-bind-port',
    options: { useBindPortIP: true, hostIp: '192.168.1.2' },
    check: (got) => {
      assert.deepEqual(urls(got, 'published'), ['http://192.168.1.10:8000']);
      assert.deepEqual(urls(got, 'published-tls'), ['http://172.17.0.9:443']);
      assert.deepEqual(urls(got, 'host-mode'), ['http://192.168.1.2:9090']);
    },
  },
  {
    desc: 'middlewares and TLS: maps, comma lists, numbers, compress=true, indexed domains, keys in any case',
    fixture: 'middlewares',
    golden: 'middlewares',
    check: (got) => {
      assert.deepEqual(Object.keys(got.middlewares).sort(), [
        'www-allow',
        'www-auth',
        'www-errors',
        'www-gzip',
        'www-headers',
        'www-limit',
        'www-redirect',
      ]);
      assert.deepEqual(got.middlewares['www-gzip'], { type: 'compress' });
      assert.equal((got.routers['WWW-plain'] as { service: string }).service, 'www');
      assert.deepEqual(errorPaths(got), [
        'CONFIG_INVALID container site-www-1: Traefik.http.routers.www.service',
        'CONFIG_INVALID container site-www-1: traefik.http.middlewares.www-nozip',
      ]);
    },
  },
  {
    desc: 'bad labels: each is named with its container; its resource goes, the rest of the container stays',
    fixture: 'bad-labels',
    golden: 'bad-labels',
    check: (got) => {
      assert.deepEqual(Object.keys(got.routers), ['good']);
      assert.deepEqual(Object.keys(got.middlewares), ['fine']);
      assert.ok(got.errors.every((e) => e.path.startsWith('container oops-')));
      assert.ok(
        errorPaths(got).includes(
          'CONFIG_INVALID container oops-app-1: traefik.http.routers.bad-priority.priority',
        ),
      );
      assert.ok(errorPaths(got).includes('CONFIG_INVALID container oops-settings-1: traefik.enable'));
      assert.equal(got.routers.settings, undefined);
    },
  },
  {
    desc: 'tcp and udp labels: a container with only those gets no HTTP defaults',
    fixture: 'tcp-udp',
    golden: 'tcp-udp',
    check: (got) => {
      assert.deepEqual(Object.keys(got.routers), ['dns-health']);
      assert.deepEqual(Object.keys(got.services), ['dns-health']);
      assert.deepEqual(got.errors, []);
    },
  },
  {
    desc: 'default rule: the default template normalizes the name',
    fixture: 'default-rule',
    golden: 'default-rule',
    check: (got) =>
      assert.equal((got.routers['Front-End-shop'] as { rule: string }).rule, 'Host(`Front-End-shop`)'),
  },
  {
    desc: 'default rule: a template with pipelines, index and default',
    fixture: 'default-rule',
    golden: 'default-rule-template',
    options: {
      defaultRule:
        'Host(`{{ .ContainerName | replace "_" "-" | lower }}.{{ index .Labels "app.env" | lower | default "prod" }}.example.com`)',
    },
    check: (got) =>
      assert.deepEqual(
        Object.values(got.routers).map((r) => (r as { rule: string }).rule),
        ['Host(`shop-front-end-1.staging.example.com`)', 'Host(`my-legacy.app.prod.example.com`)'],
      ),
  },
  {
    desc: 'default rule: a template that does not parse is reported once; services stay, routers need a rule label',
    fixture: 'default-rule',
    golden: 'default-rule-invalid',
    options: { defaultRule: 'Host(`{{ .Name | title }}`)' },
    check: (got) => {
      assert.deepEqual(got.routers, {});
      assert.equal(Object.keys(got.services).length, 2);
      assert.deepEqual(errorPaths(got), ['CONFIG_PARSE providers.docker.defaultRule']);
      assert.match(got.errors[0]!.message, /column 18: unknown function "title"/);
    },
  },
  {
    desc: 'default rule: a template that fails or gives nothing for a container drops that router',
    fixture: 'default-rule',
    golden: 'default-rule-empty',
    options: { defaultRule: '{{ index .Labels "app.domain" }}' },
    check: (got) => {
      assert.deepEqual(Object.keys(got.routers), ['Front-End-shop']);
      assert.deepEqual(errorPaths(got), [
        'CONFIG_INVALID container my_legacy.app: http.routers.my-legacy-app',
      ]);
    },
  },
];

const load = (fixture: string) =>
  (JSON.parse(readFileSync(join(FIXTURES, `${fixture}.json`), 'utf8')) as DockerInspect[]).map(
    containerFromInspect,
  );

describe('buildConfiguration against docker inspect fixtures', () => {
  for (const c of cases) {
    test(c.desc, async () => {
      const { config, errors } = buildConfiguration(load(c.fixture), { ...DEFAULTS, ...c.options });
      assert.deepEqual(config.http.serversTransports, {});
      assert.deepEqual(config.tls, { certificates: [], options: {}, stores: {} });
      const got = JSON.parse(
        JSON.stringify({ ...config.http, serversTransports: undefined, errors }),
      ) as Output;
      const file = join(FIXTURES, 'golden', `${c.golden}.json`);
      if (UPDATE) {
        mkdirSync(join(FIXTURES, 'golden'), { recursive: true });
        const text = await format(JSON.stringify(got), { ...(await resolveConfig(file)), filepath: file });
        writeFileSync(file, text);
      }
      assert.deepEqual(got, JSON.parse(readFileSync(file, 'utf8')));
      c.check(got);
    });
  }
});
