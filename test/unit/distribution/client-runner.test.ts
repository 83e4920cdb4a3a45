// The data node's client over an endpoint the test plays the control node on: what it
// applies, what it answers, what it caches, where it reconnects.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { CONFIG_PREFIX, CONFIG_VERSION_KEY } from '../../../src/cluster/node/index.js';
import { ConfigError } from '../../../src/config/errors.js';
import { StaticConfig } from '../../../src/config/static/index.js';
import type { ApplyInput, ApplyOutcome } from '../../../src/dataplane/index.js';
import { cachePath, saveCache } from '../../../src/distribution/cache.js';
import { ClientRunner } from '../../../src/distribution/client-runner.js';
import type { Endpoint, LinkHandlers } from '../../../src/distribution/link.js';
import type { ControlMessage, DataMessage } from '../../../src/distribution/messages.js';

const log = pino({ level: 'silent' });
const local = StaticConfig.parse({ entryPoints: { web: { address: '127.0.0.1:0' } } }).entryPoints;
const router = (name: string): string => `${CONFIG_PREFIX}http/routers/${name}`;
const routerText = JSON.stringify({ rule: 'Host(`a`)', service: 's@file' });
const versionText = JSON.stringify({ version: 1, nodeId: 'c1' });

let dir: string;
let n = 0;
before(async () => {
  dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sy-client-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** Plays a control node: each connection is a link the test talks through. */
class FakeEndpoint implements Endpoint {
  readonly links: { handlers: LinkHandlers; sent: DataMessage[]; closed: boolean }[] = [];
  refuse = false;
  constructor(readonly name: string) {}
  connect(handlers: LinkHandlers) {
    if (this.refuse) return Promise.reject(new Error(`${this.name} refuses`));
    const link = { handlers, sent: [] as DataMessage[], closed: false };
    this.links.push(link);
    return Promise.resolve({
      send: (m: DataMessage) => void link.sent.push(m),
      close: () => {
        link.closed = true;
        handlers.onClose(undefined);
      },
    });
  }
  get last() {
    return this.links.at(-1)!;
  }
  push(message: ControlMessage): void {
    this.last.handlers.onMessage(message);
  }
}

type Verdict = (input: ApplyInput) => Pick<ApplyOutcome, 'ok' | 'errors'>;
const accept: Verdict = () => ({ ok: true, errors: [] });

function client(endpoints: Endpoint[], verdict: Verdict = accept, stateDir = join(dir, `n${n++}`)) {
  const applied: ApplyInput[] = [];
  let judge = verdict;
  const runner = new ClientRunner({
    nodeId: 'd1',
    stateDir,
    localEntryPoints: local,
    log,
    endpoints,
    reconnect: { baseMs: 5, maxMs: 20 },
    apply: (input) => {
      applied.push(input);
      return Promise.resolve({ version: input.version, ...judge(input) });
    },
  });
  return {
    runner,
    applied,
    stateDir,
    judge: (v: Verdict) => (judge = v),
  };
}

const until = async (what: () => boolean, ms = 2000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};
const snapshot = (revision: number, entries: [string, string][]): ControlMessage => ({
  type: 'snapshot',
  revision,
  chunk: 0,
  last: true,
  entries,
});
const delta = (from: number, revision: number, puts: [string, string][]): ControlMessage => ({
  type: 'delta',
  fromRevision: from,
  revision,
  chunk: 0,
  last: true,
  puts,
  deletes: [],
});

describe('client runner', () => {
  test('says hello, applies a snapshot, ACKs it and caches it (0600 in a 0700 directory)', async () => {
    const control = new FakeEndpoint('c1:4243');
    const c = client([control]);
    await c.runner.start();
    await until(() => control.links.length === 1 && control.last.sent.length === 1);
    assert.deepEqual(control.last.sent[0], { type: 'hello', nodeId: 'd1' });
    control.push(
      snapshot(5, [
        [CONFIG_VERSION_KEY, versionText],
        [router('a@file')!, routerText],
      ]),
    );
    await until(() => control.last.sent.length === 2);
    assert.deepEqual(control.last.sent[1], { type: 'ack', revision: 5, errors: [] });
    assert.equal(c.applied[0]!.version, 5);
    assert.deepEqual(Object.keys(c.applied[0]!.dynamic!.http.routers), ['a@file']);
    assert.equal(c.runner.status().appliedRevision, 5);
    assert.equal(c.runner.status().attachedTo, 'c1:4243');
    await c.runner.stop();
    const file = await stat(cachePath(c.stateDir));
    assert.equal(file.mode & 0o777, 0o600);
    assert.equal((await stat(join(c.stateDir, 'distribution'))).mode & 0o777, 0o700);
  });

  test('serves its cache before any control node answers, and says which revision it serves', async () => {
    const stateDir = join(dir, `n${n++}`);
    await saveCache(stateDir, 'd1', { revision: 12, entries: new Map([[CONFIG_VERSION_KEY, versionText]]) });
    const control = new FakeEndpoint('c1:4243');
    control.refuse = true;
    const c = client([control], accept, stateDir);
    await c.runner.start();
    assert.equal(c.applied.length, 1, 'applied once start() resolves');
    assert.equal(c.applied[0]!.version, 12);
    control.refuse = false;
    await until(() => control.links.length === 1 && control.last.sent.length === 1);
    assert.deepEqual(control.last.sent[0], { type: 'hello', nodeId: 'd1', appliedRevision: 12 });
    await c.runner.stop();
  });

  test('a cache of another node is not served', async () => {
    const stateDir = join(dir, `n${n++}`);
    await saveCache(stateDir, 'someone-else', { revision: 12, entries: new Map() });
    const c = client([new FakeEndpoint('c1:4243')], accept, stateDir);
    await c.runner.start();
    assert.equal(c.applied.length, 0);
    await c.runner.stop();
  });

  test('a version the data plane refuses is NACKed; the previous stays and the next delta resyncs', async () => {
    const control = new FakeEndpoint('c1:4243');
    const c = client([control]);
    await c.runner.start();
    await until(() => control.links.length === 1);
    control.push(snapshot(5, [[CONFIG_VERSION_KEY, versionText]]));
    await until(() => control.last.sent.length === 2);
    const refusal = new ConfigError('LISTEN_FAILED', 'entryPoints.web.address', 'cannot listen');
    c.judge(() => ({ ok: false, errors: [refusal] }));
    control.push(delta(5, 6, [[router('a@file'), routerText]]));
    await until(() => control.last.sent.length === 3);
    assert.deepEqual(control.last.sent[2], { type: 'nack', revision: 6, errors: [refusal.toJSON()] });
    assert.equal(c.runner.status().appliedRevision, 5);
    assert.deepEqual(c.runner.status().lastNack, { revision: 6, errors: [refusal.toJSON()] });
    c.judge(accept);
    control.push(delta(6, 7, []));
    await until(() => control.last.sent.length === 4);
    assert.deepEqual(control.last.sent[3], { type: 'hello', nodeId: 'd1', appliedRevision: 5 });
    control.push(delta(5, 7, [[router('a@file'), routerText]]));
    await until(() => control.last.sent.length === 5);
    assert.deepEqual(control.last.sent[4], { type: 'ack', revision: 7, errors: [] });
    assert.equal(c.runner.status().lastNack, undefined);
    await c.runner.stop();
  });

  test('a certificate that does not load: the version is rolled back and NACKed', async () => {
    const control = new FakeEndpoint('c1:4243');
    const c = client([control]);
    await c.runner.start();
    await until(() => control.links.length === 1);
    control.push(snapshot(5, [[CONFIG_VERSION_KEY, versionText]]));
    await until(() => control.last.sent.length === 2);
    const bad = new ConfigError(
      'TLS_INVALID',
      'tls.certificates[0]',
      'the key does not belong to the certificate',
    );
    c.judge((input) => ({ ok: true, errors: input.version === 6 ? [bad] : [] }));
    control.push(
      delta(5, 6, [[`${CONFIG_PREFIX}tls/certificates/ab`, JSON.stringify({ certFile: 'C', keyFile: 'K' })]]),
    );
    await until(() => control.last.sent.length === 3);
    assert.equal(control.last.sent[2]!.type, 'nack');
    assert.deepEqual(
      c.applied.map((i) => i.version),
      [5, 6, 5],
      'the previous version is applied again',
    );
    assert.equal(c.runner.status().appliedRevision, 5);
    await c.runner.stop();
  });

  test('a version served without some resources is ACKed with their errors', async () => {
    const control = new FakeEndpoint('c1:4243');
    const missing = new ConfigError(
      'CONFIG_MISSING_REFERENCE',
      'http.routers.a@file.entryPoints[0]',
      'no websecure',
    );
    const c = client([control], () => ({ ok: true, errors: [missing] }));
    await c.runner.start();
    await until(() => control.links.length === 1);
    control.push(snapshot(5, [[CONFIG_VERSION_KEY, versionText]]));
    await until(() => control.last.sent.length === 2);
    assert.deepEqual(control.last.sent[1], { type: 'ack', revision: 5, errors: [missing.toJSON()] });
    assert.deepEqual(c.runner.status().errors, [missing.toJSON()]);
    await c.runner.stop();
  });

  test('an older version is refused without applying it', async () => {
    const stateDir = join(dir, `n${n++}`);
    await saveCache(stateDir, 'd1', { revision: 12, entries: new Map() });
    const control = new FakeEndpoint('c1:4243');
    const c = client([control], accept, stateDir);
    await c.runner.start();
    await until(() => control.links.length === 1);
    control.push(snapshot(9, [[CONFIG_VERSION_KEY, versionText]]));
    await until(() => control.last.sent.length === 2);
    const nack = control.last.sent[1]!;
    assert.equal(nack.type, 'nack');
    assert.equal(nack.type === 'nack' && nack.errors[0]!.code, 'CONFIG_STALE');
    assert.deepEqual(
      c.applied.map((i) => i.version),
      [12],
    );
    await c.runner.stop();
  });

  test('moves to the next control node when one refuses or goes, and says hello again', async () => {
    const a = new FakeEndpoint('a:4243');
    const b = new FakeEndpoint('b:4243');
    a.refuse = true;
    b.refuse = true;
    const c = client([a, b]);
    await c.runner.start();
    b.refuse = false;
    await until(() => b.links.length === 1);
    b.push(snapshot(5, [[CONFIG_VERSION_KEY, versionText]]));
    await until(() => b.last.sent.length === 2);
    a.refuse = false;
    b.refuse = true;
    b.last.handlers.onClose(new Error('gone'));
    await until(() => a.links.length === 1 && a.last.sent.length === 1);
    assert.deepEqual(a.last.sent[0], { type: 'hello', nodeId: 'd1', appliedRevision: 5 });
    assert.equal(c.runner.status().attachedTo, 'a:4243');
    await c.runner.stop();
  });
});
