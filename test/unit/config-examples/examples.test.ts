import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import type { DynamicConfig } from '../../../src/config/dynamic/index.js';
import { loadStaticConfig, type StaticConfig } from '../../../src/config/static/index.js';
import { mergeProviders, validateConfig } from '../../../src/controller/index.js';
import {
  buildConfiguration,
  buildOptionsFor,
  buildSwarmConfiguration,
  type ContainerInfo,
} from '../../../src/providers/docker/index.js';
import { mergeFileConfigs, nextFileState } from '../../../src/providers/file/index.js';

// Every file under config-examples/ goes through the loaders Switchyard itself uses, so an
// example cannot drift from what the code accepts: static files through loadStaticConfig,
// dynamic files through the file provider's decoding and the controller's merge and
// validation, and the labels cheat sheet's Compose and stack snippets through the Docker
// and Swarm providers' translators.

const ROOT = join(import.meta.dirname, '../../..');
const EXAMPLES = join(ROOT, 'config-examples');

function loadStatic(name: string): StaticConfig {
  // The environment is left out: a SWITCHYARD_* variable of the machine must not change the result.
  const loaded = loadStaticConfig({ file: join(EXAMPLES, name), env: {}, argv: [], cwd: ROOT });
  if (!loaded.ok) assert.fail(`${name}: ${loaded.errors.map((e) => e.message).join('; ')}`);
  return loaded.value;
}

/** The controller's view of one provider's configuration: merged, qualified and validated. */
function validated(provider: string, config: DynamicConfig, staticConfig: StaticConfig) {
  const merged = mergeProviders(new Map([[provider, config]]));
  const names = Object.keys(staticConfig.entryPoints);
  const result = validateConfig(merged.config, {
    entryPoints: names,
    defaultEntryPoints: names.filter((name) => name !== 'traefik'),
  });
  return { config: result.config, errors: [...merged.errors, ...result.errors] };
}

const messages = (errors: readonly { message: string }[]): string[] => errors.map((e) => e.message);

describe('static examples', () => {
  const cases = [
    {
      desc: 'standalone.yml (npm start): the file provider on config-examples/dynamic, ping, API and metrics',
      file: 'standalone.yml',
      check: (c: StaticConfig) => {
        assert.equal(c.providers.file?.directory, join(ROOT, 'config-examples/dynamic'));
        assert.ok(c.ping);
        assert.deepEqual(Object.keys(c.entryPoints).sort(), ['traefik', 'web', 'websecure']);
      },
    },
    {
      desc: 'data.yml: unprivileged ports, and /ping on the traefik entrypoint for the health check',
      file: 'data.yml',
      check: (c: StaticConfig) => {
        assert.deepEqual(
          Object.fromEntries(Object.entries(c.entryPoints).map(([name, ep]) => [name, ep.port])),
          { web: 8000, websecure: 8443, traefik: 8080 },
        );
        assert.equal(c.ping?.entryPoint, 'traefik');
        assert.equal(c.stateDir, '/var/lib/switchyard');
      },
    },
    {
      desc: 'control.yml: the Docker provider, labelled containers only',
      file: 'control.yml',
      check: (c: StaticConfig) => {
        assert.equal(c.providers.docker?.exposedByDefault, false);
        assert.equal(c.providers.docker?.endpoint, 'unix:///var/run/docker.sock');
      },
    },
    {
      desc: 'control-swarm.yml: the Swarm provider on the stack’s overlay network',
      file: 'control-swarm.yml',
      check: (c: StaticConfig) => {
        assert.equal(c.providers.swarm?.exposedByDefault, false);
        assert.equal(c.providers.swarm?.network, 'switchyard');
      },
    },
    {
      desc: 'control-acme.yml: a Let’s Encrypt resolver answering HTTP-01 on the web entrypoint',
      file: 'control-acme.yml',
      check: (c: StaticConfig) => {
        const acme = c.certificatesResolvers.letsencrypt?.acme;
        assert.equal(acme?.httpChallenge?.entryPoint, 'web');
        assert.equal(c.entryPoints.websecure?.http?.tls?.certResolver, 'letsencrypt');
      },
    },
  ];
  for (const c of cases) test(c.desc, () => c.check(loadStatic(c.file)));

  test('the control examples name exactly the data nodes’ traffic entrypoints, TLS included', () => {
    const data = loadStatic('data.yml');
    const traffic = Object.fromEntries(
      Object.entries(data.entryPoints)
        .filter(([name]) => name !== 'traefik')
        .map(([name, ep]) => [name, { port: ep.port, tls: ep.http?.tls !== undefined }]),
    );
    for (const file of ['control.yml', 'control-swarm.yml', 'control-acme.yml']) {
      const control = loadStatic(file);
      const names = Object.fromEntries(
        Object.entries(control.entryPoints).map(([name, ep]) => [
          name,
          { port: ep.port, tls: ep.http?.tls !== undefined },
        ]),
      );
      assert.deepEqual(names, traffic, file);
    }
  });

  test('every static example is covered above', () => {
    const files = readdirSync(EXAMPLES).filter((name) => /\.(ya?ml|toml)$/.test(name));
    assert.deepEqual(files.sort(), [...cases.map((c) => c.file)].sort());
  });
});

describe('compose files', () => {
  test('every --config they pass is an example that scripts/build-images.sh copies into the images', () => {
    const script = readFileSync(join(ROOT, 'scripts/build-images.sh'), 'utf8');
    const files = readdirSync(join(ROOT, 'compose')).filter((name) => name.endsWith('.yml'));
    const configs = new Set<string>();
    for (const file of files) {
      const text = readFileSync(join(ROOT, 'compose', file), 'utf8');
      for (const m of text.matchAll(/--config=\/etc\/switchyard\/([\w.-]+)/g)) configs.add(m[1]!);
    }
    assert.deepEqual([...configs].sort(), ['control-swarm.yml', 'control.yml', 'data.yml']);
    for (const name of configs) {
      assert.ok(script.includes(`config-examples/${name}`), `${name} is not copied into the images`);
      loadStatic(name);
    }
  });
});

describe('dynamic examples', () => {
  const directories = [
    { desc: 'dynamic/ (npm start)', dir: 'dynamic', staticFile: 'standalone.yml' },
    { desc: 'file-provider/ (reference examples)', dir: 'file-provider', staticFile: 'control.yml' },
  ];
  for (const { desc, dir, staticFile } of directories) {
    test(`${desc}: every file decodes, and the directory merges and validates without an error`, () => {
      const files = readdirSync(join(EXAMPLES, dir))
        .filter((name) => /\.(ya?ml|toml)$/.test(name))
        .sort()
        .map((name) => join(EXAMPLES, dir, name));
      assert.ok(files.length > 0);
      const states = files.map((file) => ({
        file,
        state: nextFileState(file, readFileSync(file, 'utf8'), undefined),
      }));
      for (const { file, state } of states) {
        assert.deepEqual(messages(state.errors), [], file);
        assert.ok(Object.keys(state.config.http.routers).length > 0, `${file} defines no router`);
      }
      const merged = mergeFileConfigs(states.map(({ file, state }) => ({ file, config: state.config })));
      assert.deepEqual(messages(merged.errors), []);
      const { config, errors } = validated('file', merged.config, loadStatic(staticFile));
      assert.deepEqual(messages(errors), []);
      const routers = states.flatMap(({ state }) => Object.keys(state.config.http.routers));
      assert.deepEqual(
        Object.keys(config.http.routers)
          .filter((name) => name.endsWith('@file'))
          .sort(),
        routers.map((name) => `${name}@file`).sort(),
      );
    });
  }
});

describe('labels cheat sheet (labels.md)', () => {
  const blocks = [
    ...readFileSync(join(EXAMPLES, 'labels.md'), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g),
  ].map((m) => loadYaml(m[1]!, { schema: CORE_SCHEMA }) as ComposeDocument);
  const control = loadStatic('control.yml');

  test('has the Compose and the Swarm example', () => assert.equal(blocks.length, 2));

  test('Compose: every service is routed as the comments say, with no error', () => {
    const compose = blocks[0]!;
    const containers = Object.entries(compose.services).map(([name, service], i) =>
      container(name, labelMap(service.labels), `10.0.9.${10 + i}`),
    );
    const built = buildConfiguration(containers, buildOptionsFor(control.providers.docker!, 'docker'));
    assert.deepEqual(messages(built.errors), []);
    const { config, errors } = validated('docker', built.config, control);
    assert.deepEqual(messages(errors), []);
    assert.deepEqual(config.http.routers['shop@docker'], {
      ...config.http.routers['shop@docker'],
      entryPoints: ['websecure'],
      middlewares: ['shop-headers@docker', 'shop-limit@docker'],
      service: 'shop@docker',
      tls: { certResolver: 'letsencrypt' },
    });
    assert.deepEqual(config.http.routers['shop-http@docker']?.middlewares, ['to-https@docker']);
    const shop = config.http.services['shop@docker'];
    assert.equal(shop?.type === 'loadBalancer' && shop.servers?.[0]?.url, 'http://10.0.9.10:8080');
  });

  test('Swarm: deploy.labels route to every running task', () => {
    const stack = blocks[1]!;
    const [name, service] = Object.entries(stack.services)[0]!;
    const network = { id: 'net1', name: 'switchyard' };
    const tasks = [1, 2, 3].map((slot) => ({
      id: `task${slot}`,
      serviceId: 'svc1',
      slot,
      state: 'running',
      networks: [{ networkId: network.id, addresses: [`10.0.8.${slot}/24`] }],
    }));
    const built = buildSwarmConfiguration(
      [
        {
          id: 'svc1',
          name,
          labels: labelMap(service.deploy?.labels),
          endpointMode: 'vip',
          global: false,
          virtualIps: [],
        },
      ],
      tasks,
      [network],
      buildOptionsFor(control.providers.docker!, 'swarm'),
    );
    assert.deepEqual(messages(built.errors), []);
    const { config, errors } = validated('swarm', built.config, control);
    assert.deepEqual(messages(errors), []);
    const api = config.http.services['api@swarm'];
    assert.deepEqual(api?.type === 'loadBalancer' && api.servers?.map((s) => s.url), [
      'http://10.0.8.1:8080',
      'http://10.0.8.2:8080',
      'http://10.0.8.3:8080',
    ]);
    assert.equal(api?.type === 'loadBalancer' && api.sticky?.cookie?.name, 'api_affinity');
  });
});

interface ComposeDocument {
  services: Record<string, { labels?: string[] | Record<string, string>; deploy?: { labels?: string[] } }>;
}

/** Compose's two spellings of labels (a list of `k=v`, or a map), as a map. */
function labelMap(labels: string[] | Record<string, string> | undefined): Record<string, string> {
  if (labels === undefined) return {};
  if (!Array.isArray(labels)) return labels;
  return Object.fromEntries(labels.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/** A running container of a Compose service, on the `switchyard` network. */
function container(service: string, labels: Record<string, string>, ipv4: string): ContainerInfo {
  return {
    id: `${service}-id`,
    name: `/app-${service}-1`,
    labels: { ...labels, 'com.docker.compose.project': 'app', 'com.docker.compose.service': service },
    state: { running: true, health: undefined },
    networkMode: 'switchyard',
    networks: { switchyard: { ipv4, ipv6: undefined } },
    ports: [{ port: 8080, protocol: 'tcp', bindings: [] }],
  };
}
