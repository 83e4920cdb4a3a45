import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listConfigFiles, mergeFileConfigs, nextFileState } from '../../../src/providers/index.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/dynamic');
const load = (relative: string) => {
  const file = join(FIXTURES, relative);
  return nextFileState(relative, readFileSync(file, 'utf8'), undefined);
};

describe('fixtures: YAML and TOML say the same thing', () => {
  test('full.yml and full.toml decode to the same configuration, without errors', () => {
    const yaml = load('formats/full.yml');
    const toml = load('formats/full.toml');
    assert.deepEqual(yaml.errors, []);
    assert.deepEqual(toml.errors, []);
    assert.deepEqual(toml.config, yaml.config);
    assert.deepEqual(Object.keys(yaml.config.http.routers), ['web']);
    assert.deepEqual(Object.keys(yaml.config.http.services), ['api', 'split']);
    assert.equal(yaml.config.http.services.api?.type, 'loadBalancer');
    assert.deepEqual(yaml.config.http.serversTransports.slow?.forwardingTimeouts, { dialTimeout: 30_000 });
    assert.equal(yaml.config.tls.certificates.length, 1);
    assert.equal(yaml.config.tls.options.modern?.minVersion, 'VersionTLS13');
  });

  const unknown = [
    { desc: 'YAML', file: 'formats/unknown-fields.yml' },
    { desc: 'TOML', file: 'formats/unknown-fields.toml' },
  ];
  for (const c of unknown) {
    test(`${c.desc}: unknown fields are named by path and drop only their resource`, () => {
      const state = load(c.file);
      const got = state.errors.map((e) => [e.code, e.path]).sort();
      assert.deepEqual(got, [
        ['CONFIG_UNKNOWN_FIELD', `${c.file}: http.bogus`],
        ['CONFIG_UNKNOWN_FIELD', `${c.file}: http.routers.web.entrypoints`],
        ['CONFIG_UNKNOWN_FIELD', `${c.file}: http.services.api.loadBalancer.servers[0].wieght`],
      ]);
      assert.deepEqual(Object.keys(state.config.http.routers), ['other']);
      assert.deepEqual(state.config.http.services, {});
    });
  }
});

describe('fixtures: a directory', () => {
  test('files are listed in Traefik order; hidden entries and other extensions are skipped', async () => {
    const { files, errors } = await listConfigFiles(join(FIXTURES, 'dir'));
    assert.deepEqual(errors, []);
    assert.deepEqual(
      files.map((f) => f.slice(FIXTURES.length + 1)),
      ['dir/a-routers.yml', 'dir/b-services.toml', 'dir/sub/c-conflict.YAML'],
    );
  });

  test('the files merge; an identical repeat is fine, a different one is a conflict on the later file', async () => {
    const { files } = await listConfigFiles(join(FIXTURES, 'dir'));
    const parts = files.map((file) => ({
      file,
      config: nextFileState(file, readFileSync(file, 'utf8'), undefined).config,
    }));
    const { config, errors } = mergeFileConfigs(parts);
    assert.deepEqual(Object.keys(config.http.routers), ['web']);
    assert.deepEqual(Object.keys(config.http.services).sort(), ['api', 'other']);
    assert.deepEqual(Object.keys(config.http.middlewares), ['strip']);
    const other = config.http.services.other;
    assert.ok(other?.type === 'loadBalancer');
    assert.equal(other.servers?.[0]?.url, 'http://10.0.0.9:8080', 'the first definition is kept');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'CONFIG_CONFLICT');
    assert.equal(errors[0]!.path, `${files[2]}: http.services.other`);
    assert.ok(errors[0]!.detail.includes(files[1]!), 'the error names the file whose definition is kept');
  });
});
