// From `docker start` of a labelled container to its first 200 through `switchyard
// standalone`: 50 containers started one after another on the real engine, each polled
// every 5 ms through the web entrypoint until it answers. Prints p50 and p99.
// Run from the repository root:
//   npx tsx test/bench/docker-start.ts [--throttle 2s] [--count 50]
import type Dockerode from 'dockerode';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  ensureTestImage,
  openEngine,
  removeTestObjects,
  TEST_IMAGE,
  testLabels,
} from '../integration/support/docker.js';
import { freePort, startSwitchyard } from '../integration/standalone/process.js';

const SUITE = 'docker-bench';
/** A container that is not routed within this long fails the run: the figures would be wrong. */
const ROUTED_WITHIN_MS = 30_000;

const { values } = parseArgs({
  options: { throttle: { type: 'string', default: '2s' }, count: { type: 'string', default: '50' } },
});
const count = Number(values.count);

function status(port: number, host: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(2_000, () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

function createHttpd(docker: Dockerode, name: string): Promise<Dockerode.Container> {
  return docker.createContainer({
    name,
    Image: TEST_IMAGE,
    Cmd: ['/bin/sh', '-c', `echo ${name} > /www/index.html; exec httpd -f -p 80 -h /www`],
    Labels: testLabels(SUITE),
    ExposedPorts: { '80/tcp': {} },
    HostConfig: { NetworkMode: 'bridge' },
  });
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const engine = await openEngine();
if ('skip' in engine) throw new Error(engine.skip);
const { docker } = engine;
await ensureTestImage(docker);
await removeTestObjects(docker, SUITE);
const dir = await mkdtemp(join(tmpdir(), 'switchyard-docker-bench-'));
const web = await freePort();
await writeFile(
  join(dir, 'static.yml'),
  [
    'entryPoints:',
    `  web: { address: "127.0.0.1:${web}" }`,
    'providers:',
    `  providersThrottleDuration: ${values.throttle}`,
    // Each container its own router: Host(`<name>.test`); only this run's containers.
    '  docker:',
    '    defaultRule: "Host(`{{ normalize .Name }}.test`)"',
    `    constraints: "Label(\`switchyard.test.suite\`, \`${SUITE}\`)"`,
    'log: { level: ERROR }',
    `stateDir: ${JSON.stringify(join(dir, 'state'))}`,
  ].join('\n'),
);
const proxy = startSwitchyard(['--config', join(dir, 'static.yml')]);
const times: number[] = [];
/** How long the engine's own `docker start` call took: the part Switchyard cannot shorten. */
const startCalls: number[] = [];
try {
  // Until the entrypoint answers (a 404 for an unknown host): the process is up. A fixed
  // sleep made the first sample measure the process's start on a loaded machine.
  while ((await status(web, 'nothing.test')) === 0) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500)); // the provider's first read of the engine
  for (let i = 0; i < count; i++) {
    const name = `sy-bench-${i}`;
    const container = await createHttpd(docker, name);
    const started = performance.now();
    await container.start();
    startCalls.push(performance.now() - started);
    for (;;) {
      if ((await status(web, `${name}.test`)) === 200) break;
      if (performance.now() - started > ROUTED_WITHIN_MS) throw new Error(`${name} not routed within 30 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    times.push(performance.now() - started);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const calls = [...startCalls].sort((a, b) => a - b);
  const ms = (v: number): string => `${v.toFixed(0)} ms`;
  console.log(
    `providersThrottleDuration=${values.throttle} containers=${count} ` +
      `p50=${ms(percentile(sorted, 50))} p99=${ms(percentile(sorted, 99))} ` +
      `min=${ms(sorted[0]!)} max=${ms(sorted.at(-1)!)}; ` +
      `the docker start call alone: p50=${ms(percentile(calls, 50))} p99=${ms(percentile(calls, 99))}`,
  );
} finally {
  await proxy.stop();
  await removeTestObjects(docker, SUITE);
  await rm(dir, { recursive: true, force: true });
}
