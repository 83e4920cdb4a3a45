// The controller gate and the configuration writer over the local store: the same Store
// interface and election as on etcd, in one process.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { Election } from '../../../src/cluster/election/index.js';
import {
  CONFIG_PREFIX,
  CONFIG_VERSION_KEY,
  ControllerGate,
  readStoredConfig,
  type ControllerDuty,
  type PublishedConfiguration,
} from '../../../src/cluster/node/index.js';
import { DataKey } from '../../../src/cluster/pki/index.js';
import { LocalStore, readPrefix } from '../../../src/cluster/store/index.js';
import { emptyDynamicConfig, type DynamicConfig } from '../../../src/config/dynamic/index.js';

const log = pino({ level: 'silent' });
const decoder = new TextDecoder();

let dir: string;
let n = 0;
let dataKey: DataKey;
const open: { close(): Promise<void> }[] = [];

before(async () => {
  dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sy-gate-'));
  const ring = await DataKey.create([DataKey.generateSecret()]);
  assert.ok(ring.ok);
  dataKey = ring.value;
});
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});
after(() => rm(dir, { recursive: true, force: true }));

/** A duty that records its life and hands the test its publish function. */
class FakeDuty implements ControllerDuty {
  publish: ((p: PublishedConfiguration) => void) | undefined;
  initialVersion: number | undefined;
  running = false;
  async start(publish: (p: PublishedConfiguration) => void, initialVersion: number): Promise<void> {
    this.publish = publish;
    this.initialVersion = initialVersion;
    this.running = true;
  }
  async stop(): Promise<void> {
    this.running = false;
  }
}

async function node(store: LocalStore, nodeId: string) {
  const election = new Election({ store, nodeId, ttlMs: 600 });
  const duties: FakeDuty[] = [];
  const gate = new ControllerGate({
    store,
    election,
    dataKey,
    log,
    duty: () => {
      const duty = new FakeDuty();
      duties.push(duty);
      return duty;
    },
  });
  open.push(election);
  return { election, gate, duties };
}

const until = async (probe: () => boolean | Promise<boolean>, what: string, ms = 3000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const withRouters = (names: readonly string[], certs = 0): DynamicConfig => {
  const c = emptyDynamicConfig();
  for (const name of names) c.http.routers[name] = { rule: `Host(\`${name}\`)`, service: 's@file' } as never;
  for (let i = 0; i < certs; i++)
    c.tls.certificates.push({ certFile: `CERT ${i}`, keyFile: `-----BEGIN PRIVATE KEY----- ${i}` });
  return c;
};

async function storedVersion(store: LocalStore): Promise<number | undefined> {
  const { kv } = await store.get(CONFIG_VERSION_KEY);
  return kv === undefined ? undefined : (JSON.parse(decoder.decode(kv.value)) as { version: number }).version;
}

describe('ControllerGate', () => {
  test('the elected node runs its duty; each publication lands as one key per resource', async () => {
    const store = await LocalStore.open({ dir: join(dir, `s${n++}`) });
    open.push(store);
    const { election, gate, duties } = await node(store, 'cp-1');
    election.start();
    await until(() => gate.active, 'duty started');
    const duty = duties[0]!;
    assert.equal(duty.initialVersion, 0);

    duty.publish!({ version: 1, config: withRouters(['a@file', 'b@file'], 1), errors: [] });
    await until(async () => (await storedVersion(store)) === 1, 'version 1 stored');
    const keys = (await readPrefix(store, CONFIG_PREFIX)).kvs.map((kv) => kv.key);
    assert.deepEqual(
      keys.filter((k) => k.includes('/routers/')),
      [`${CONFIG_PREFIX}http/routers/a@file`, `${CONFIG_PREFIX}http/routers/b@file`],
    );
    const cert = (await readPrefix(store, `${CONFIG_PREFIX}tls/certificates/`)).kvs[0]!;
    assert.ok(!decoder.decode(cert.value).includes('PRIVATE KEY'), 'certificate entries are sealed at rest');

    duty.publish!({ version: 2, config: withRouters(['b@file']), errors: [] });
    await until(async () => (await storedVersion(store)) === 2, 'version 2 stored');
    const stored = await readStoredConfig(store, dataKey);
    assert.deepEqual([...stored.entries.keys()], [`${CONFIG_PREFIX}http/routers/b@file`]);
  });

  test('a publication larger than one transaction is written in batches, the version last', async () => {
    const store = await LocalStore.open({ dir: join(dir, `s${n++}`) });
    open.push(store);
    const { election, gate, duties } = await node(store, 'cp-1');
    election.start();
    await until(() => gate.active, 'duty started');
    const names = Array.from({ length: 300 }, (_, i) => `r${i}@docker`);
    const before = await store.revision();
    duties[0]!.publish!({ version: 1, config: withRouters(names), errors: [] });
    await until(async () => (await storedVersion(store)) === 1, 'version 1 stored');
    const { kvs } = await readPrefix(store, `${CONFIG_PREFIX}http/routers/`);
    assert.equal(kvs.length, 300);
    const versionKv = (await store.get(CONFIG_VERSION_KEY)).kv!;
    assert.ok(
      kvs.every((kv) => kv.modRevision <= versionKv.modRevision),
      'no resource written after the version key',
    );
    assert.ok((await store.revision()) - before >= 3, 'several transactions');
  });

  test('deposed: the duty stops and later publications are dropped; the successor continues the versions', async () => {
    const store = await LocalStore.open({ dir: join(dir, `s${n++}`) });
    open.push(store);
    const one = await node(store, 'cp-1');
    one.election.start();
    await until(() => one.gate.active, 'cp-1 duty started');
    const two = await node(store, 'cp-2');
    two.election.start();
    const first = one.duties[0]!;
    first.publish!({ version: 7, config: withRouters(['a@file']), errors: [] });
    await until(async () => (await storedVersion(store)) === 7, 'version 7 stored');

    await one.election.close();
    await one.gate.settled();
    assert.equal(first.running, false);
    first.publish!({ version: 8, config: withRouters(['late@file']), errors: [] });

    await until(() => two.gate.active, 'cp-2 duty started');
    assert.equal(two.duties[0]!.initialVersion, 7);
    assert.equal(await storedVersion(store), 7);
    assert.equal((await store.get(`${CONFIG_PREFIX}http/routers/late@file`)).kv, undefined);
  });
});
