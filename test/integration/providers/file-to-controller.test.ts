import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, type PublishedConfig } from '../../../src/controller/index.js';
import { FileProvider } from '../../../src/providers/index.js';

const WAIT_MS = 5000;

test('a watched directory feeds the controller: cross-file references, a broken file, a removed file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-file-controller-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const controller = new Controller({ entryPoints: ['web'], providersThrottleDuration: 10 });
  t.after(() => controller.close());
  const published: PublishedConfig[] = [];
  controller.onConfig((p) => published.push(p));
  const until = async (what: string, ok: () => boolean) => {
    const deadline = Date.now() + WAIT_MS;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`not within ${WAIT_MS} ms: ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const routers = () => Object.keys(controller.current()?.config.http.routers ?? {});

  await writeFile(
    join(dir, 'routers.yml'),
    'http:\n  routers:\n    web:\n      rule: Host(`a.example.com`)\n      service: api\n',
  );
  await writeFile(
    join(dir, 'services.toml'),
    '[[http.services.api.loadBalancer.servers]]\nurl = "http://127.0.0.1:9"\n',
  );
  const provider = new FileProvider({ directory: dir, debounceMs: 30 });
  await provider.start(controller.receive);
  t.after(() => provider.stop());

  assert.deepEqual(routers(), ['web@file'], 'a router in one file uses a service of another');
  assert.deepEqual(controller.currentErrors(), []);

  await writeFile(join(dir, 'routers.yml'), 'http:\n  routers:\n    web: [\n');
  await until('the parse error', () => controller.currentErrors().some((e) => e.code === 'CONFIG_PARSE'));
  assert.equal(published.length, 1, 'the configuration in force did not change');
  assert.deepEqual(routers(), ['web@file']);
  assert.equal(controller.currentErrors()[0]!.path, `${join(dir, 'routers.yml')}:4:1`);

  await rm(join(dir, 'services.toml'));
  await until('the router removed', () => routers().length === 0);
  assert.equal(controller.current()!.version, 2);
  assert.deepEqual(
    controller.currentErrors().map((e) => [e.code, e.path]),
    [
      ['CONFIG_PARSE', `${join(dir, 'routers.yml')}:4:1`],
      ['CONFIG_MISSING_REFERENCE', 'http.routers.web@file.service'],
    ],
  );
});
