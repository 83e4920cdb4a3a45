import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ConfigError } from '../../../src/config/errors.js';
import { emptyDynamicConfig } from '../../../src/config/dynamic/index.js';
import {
  DrainSet,
  EventStream,
  isStopSignal,
  parseEndpoint,
  SyncLoop,
  type DockerApi,
  type DockerEvent,
} from '../../../src/providers/docker/index.js';
import type { ProviderMessage } from '../../../src/providers/index.js';

// The parts of the Docker and Swarm I/O shells that can be checked without an engine.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(5);
  }
}

describe('parseEndpoint', () => {
  const cases = [
    {
      desc: 'a unix socket',
      endpoint: 'unix:///var/run/docker.sock',
      tls: false,
      want: { kind: 'unix', socketPath: '/var/run/docker.sock' },
    },
    {
      desc: 'tcp, plain, its default port',
      endpoint: 'tcp://10.0.0.1',
      tls: false,
      want: { kind: 'tcp', host: '10.0.0.1', port: 2375, https: false },
    },
    {
      desc: 'tcp with tls, its default port',
      endpoint: 'tcp://docker.internal',
      tls: true,
      want: { kind: 'tcp', host: 'docker.internal', port: 2376, https: true },
    },
    {
      desc: 'an explicit port, even 80',
      endpoint: 'tcp://10.0.0.1:80',
      tls: false,
      want: { kind: 'tcp', host: '10.0.0.1', port: 80, https: false },
    },
    {
      desc: 'https means TLS',
      endpoint: 'https://10.0.0.1:2376/',
      tls: false,
      want: { kind: 'tcp', host: '10.0.0.1', port: 2376, https: true },
    },
    {
      desc: 'an IPv6 host',
      endpoint: 'tcp://[fd00::1]:2375',
      tls: false,
      want: { kind: 'tcp', host: 'fd00::1', port: 2375, https: false },
    },
    { desc: 'a relative socket path', endpoint: 'unix://docker.sock', tls: false, want: undefined },
    { desc: 'ssh is not supported', endpoint: 'ssh://me@host', tls: false, want: undefined },
    { desc: 'a path after the host', endpoint: 'tcp://host:2375/v1.41', tls: false, want: undefined },
  ] as const;
  for (const c of cases) test(c.desc, () => assert.deepEqual(parseEndpoint(c.endpoint, c.tls), c.want));
});

describe('isStopSignal', () => {
  const cases = [
    { desc: 'docker stop sends SIGTERM by default', signal: '15', stopSignal: undefined, want: true },
    { desc: 'SIGKILL after the timeout', signal: '9', stopSignal: undefined, want: true },
    {
      desc: "the image's own stop signal (Apache's SIGWINCH)",
      signal: '28',
      stopSignal: 'SIGWINCH',
      want: true,
    },
    { desc: 'a stop signal written without SIG', signal: '3', stopSignal: 'QUIT', want: true },
    { desc: 'a stop signal written as a number', signal: '10', stopSignal: '10', want: true },
    { desc: 'SIGHUP asks for a reload', signal: '1', stopSignal: undefined, want: false },
    { desc: 'SIGUSR1 reopens logs', signal: '10', stopSignal: 'SIGTERM', want: false },
    { desc: 'no signal attribute', signal: undefined, stopSignal: undefined, want: false },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(isStopSignal(c.signal, c.stopSignal), c.want));
});

describe('DrainSet', () => {
  test('a drained container leaves once a read begun after the kill shows it stopped', () => {
    const drain = new DrainSet();
    const before = drain.mark();
    drain.kill('a', 60_000, () => {});
    drain.settle(before, () => false);
    assert.ok(drain.has('a'), 'a read begun before the kill says nothing');
    drain.settle(drain.mark(), () => true);
    assert.ok(drain.has('a'), 'still running: still draining');
    drain.settle(drain.mark(), () => false);
    assert.ok(!drain.has('a'));
  });

  test('a restart ends the drain once a read begun after it is done, running or not', () => {
    const drain = new DrainSet();
    drain.kill('a', 60_000, () => {});
    const during = drain.mark();
    drain.restart('a');
    drain.settle(during, () => true);
    assert.ok(drain.has('a'), 'that read may have seen the old state');
    drain.settle(drain.mark(), () => true);
    assert.ok(!drain.has('a'));
  });

  test('a drain expires: a process that ignores its stop signal is routed again', async () => {
    const drain = new DrainSet();
    let expired = 0;
    drain.kill('a', 20, () => expired++);
    await until('expired', () => expired === 1);
    drain.settle(drain.mark(), () => true);
    assert.ok(!drain.has('a'));
    drain.clear();
  });
});

describe('SyncLoop', () => {
  const config = (routers: string[]) => {
    const c = emptyDynamicConfig();
    for (const r of routers) c.http.routers[r] = { rule: 'Path(`/`)', service: 's' } as never;
    return c;
  };

  test('requests during a read give one more read, not one each', async () => {
    let reads = 0;
    let release: (() => void) | undefined;
    const loop = new SyncLoop<number>({
      provider: 'docker',
      source: 'the test engine',
      read: async () => {
        reads++;
        if (reads === 2) await new Promise<void>((r) => (release = r));
        return reads;
      },
      build: (n) => ({ config: config([`r${n}`]), errors: [] }),
      resyncMs: undefined,
    });
    const messages: ProviderMessage[] = [];
    await loop.start((m) => messages.push(m));
    loop.request(0);
    await until('the second read blocked', () => release !== undefined);
    for (let i = 0; i < 5; i++) loop.request(0);
    await sleep(20);
    release!();
    await until('the third read', () => messages.length === 3);
    await sleep(30);
    assert.equal(reads, 3);
    assert.deepEqual(Object.keys(messages.at(-1)!.config.http.routers), ['r3']);
    await loop.stop();
  });

  test('a failed read keeps the last configuration, adds PROVIDER_UNAVAILABLE, and retries', async () => {
    let failing = false;
    let reads = 0;
    const loop = new SyncLoop<number>({
      provider: 'swarm',
      source: 'the test manager',
      read: async () => {
        reads++;
        if (failing) throw new Error('connect ECONNREFUSED');
        return reads;
      },
      build: () => ({
        config: config(['web']),
        errors: [new ConfigError('CONFIG_INVALID', 'service x: y', 'bad')],
      }),
      resyncMs: undefined,
      retryMinMs: 10,
      retryMaxMs: 20,
    });
    const messages: ProviderMessage[] = [];
    await loop.start((m) => messages.push(m));
    failing = true;
    loop.request(0);
    await until('the failure', () => messages.length === 2);
    const failed = messages[1]!;
    assert.deepEqual(Object.keys(failed.config.http.routers), ['web']);
    assert.deepEqual(
      failed.errors.map((e) => [e.code, e.path]),
      [
        ['CONFIG_INVALID', 'service x: y'],
        ['PROVIDER_UNAVAILABLE', 'providers.swarm'],
      ],
    );
    assert.match(failed.errors[1]!.detail, /the test manager: connect ECONNREFUSED/);
    const readsWhileFailing = reads;
    await until('retried', () => reads >= readsWhileFailing + 2);
    failing = false;
    await until('recovered', () => messages.at(-1)!.errors.length === 1);
    assert.equal(messages.length, 3, 'retries that fail the same way send nothing new');
    await loop.stop();
  });

  test('the first read failing still gives a first message: empty, with the error', async () => {
    const loop = new SyncLoop<number>({
      provider: 'docker',
      source: 'the test engine',
      read: () => Promise.reject(new Error('no socket')),
      build: () => ({ config: config(['never']), errors: [] }),
      resyncMs: undefined,
    });
    const messages: ProviderMessage[] = [];
    await loop.start((m) => messages.push(m));
    assert.equal(messages.length, 1);
    assert.deepEqual(messages[0]!.config, emptyDynamicConfig());
    assert.equal(messages[0]!.errors[0]!.code, 'PROVIDER_UNAVAILABLE');
    await loop.stop();
  });

  test('a first read that does not come back in time gives an empty first message; its result follows', async () => {
    let answer: ((n: number) => void) | undefined;
    const loop = new SyncLoop<number>({
      provider: 'docker',
      source: 'the test engine',
      read: () => new Promise<number>((resolve) => (answer = resolve)),
      build: () => ({ config: config(['late']), errors: [] }),
      resyncMs: undefined,
      startWaitMs: 20,
    });
    const messages: ProviderMessage[] = [];
    await loop.start((m) => messages.push(m));
    assert.equal(messages.length, 1);
    assert.deepEqual(messages[0]!.config, emptyDynamicConfig());
    assert.match(messages[0]!.errors[0]!.detail, /the test engine: no answer within 20 ms/);
    answer!(1);
    await until('the late answer', () => messages.length === 2);
    assert.deepEqual(Object.keys(messages[1]!.config.http.routers), ['late']);
    assert.deepEqual(messages[1]!.errors, []);
    await loop.stop();
  });

  test('a periodic read follows each read', async () => {
    let reads = 0;
    const loop = new SyncLoop<number>({
      provider: 'docker',
      source: 'the test engine',
      read: async () => ++reads,
      build: () => ({ config: config([]), errors: [] }),
      resyncMs: 15,
    });
    await loop.start(() => {});
    await until('three periodic reads', () => reads >= 4);
    await loop.stop();
    const stoppedAt = reads;
    await sleep(50);
    assert.equal(reads, stoppedAt, 'nothing after stop');
  });
});

describe('EventStream', () => {
  function fakeApi() {
    const streams: PassThrough[] = [];
    let refuse = 0;
    const api = {
      events: async () => {
        if (refuse > 0) {
          refuse--;
          throw new Error('refused');
        }
        const stream = new PassThrough();
        streams.push(stream);
        return stream;
      },
    } as unknown as DockerApi;
    return { api, streams, refuseNext: (n: number) => (refuse = n) };
  }

  test('events split across chunks arrive whole; junk lines are skipped', async () => {
    const { api, streams } = fakeApi();
    const events: DockerEvent[] = [];
    const stream = new EventStream(api, { filters: {}, onEvent: (e) => events.push(e), onConnect: () => {} });
    stream.start();
    await until('open', () => streams.length === 1);
    streams[0]!.write('{"Type":"container","Action":"st');
    streams[0]!.write('art","Actor":{"ID":"a"}}\nnot json\n{"Type":"network","Action":"connect"}\n');
    await until('two events', () => events.length === 2);
    assert.deepEqual(
      events.map((e) => [e.Type, e.Action]),
      [
        ['container', 'start'],
        ['network', 'connect'],
      ],
    );
    await stream.close();
  });

  test('a stream that ends is opened again, after refusals, and each opening asks for a full read', async () => {
    const { api, streams, refuseNext } = fakeApi();
    let connects = 0;
    const stream = new EventStream(api, {
      filters: {},
      onEvent: () => {},
      onConnect: () => connects++,
      minBackoffMs: 5,
      maxBackoffMs: 20,
    });
    stream.start();
    await until('open', () => connects === 1);
    refuseNext(2);
    streams[0]!.end();
    await until('reopened', () => connects === 2);
    assert.equal(streams.length, 2);
    await stream.close();
    assert.ok(streams[1]!.destroyed, 'close() ends the open stream');
  });
});
