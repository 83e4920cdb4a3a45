// Scaffolding for the distribution's integration tests: a cluster CA and node
// credentials made by the real PKI code, a store with a real controller gate publishing
// into it (so publications span transactions as in a cluster), distribution servers
// and clients on 127.0.0.1.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Election } from '../../../src/cluster/election/index.js';
import {
  CONFIG_VERSION_KEY,
  ControllerGate,
  type ControllerDuty,
  type PublishedConfiguration,
} from '../../../src/cluster/node/index.js';
import { DataKey, type ClusterCa, type Credentials } from '../../../src/cluster/pki/index.js';
import type { Store } from '../../../src/cluster/store/index.js';
import type { DynamicConfig } from '../../../src/config/dynamic/index.js';
import type { ApplyInput, ApplyOutcome } from '../../../src/dataplane/index.js';
import {
  DataNodeClient,
  DistributionServer,
  type DataNodeClientOptions,
  type DistributionServerOptions,
} from '../../../src/distribution/index.js';
import { createLogger } from '../../../src/log/index.js';
import { makeCa, makeNode, must } from '../../unit/pki/fixtures.js';

export const log = createLogger({
  level: process.env.SY_TEST_LOG ?? 'FATAL',
  destination: process.env.SY_TEST_LOG
    ? process.stderr
    : new Writable({ write: (_chunk, _encoding, done) => done() }),
});

/** Short keepalives, so that stalls are seen within a test's patience. */
export const FAST = { keepaliveMs: 200, idleTimeoutMs: 800 };

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface TestCluster {
  readonly ca: ClusterCa;
  readonly dataKey: DataKey;
  node(nodeId: string, role: 'control' | 'data'): Promise<Credentials>;
}

export async function testCluster(clusterId = 'prod'): Promise<TestCluster> {
  const ca = await makeCa(clusterId);
  const dataKey = must(await DataKey.create([DataKey.generateSecret()]));
  return { ca, dataKey, node: (nodeId, role) => makeNode(ca, { nodeId, role }) };
}

export const until = async (
  probe: () => boolean | Promise<boolean>,
  what: string,
  ms = 5000,
): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/**
 * The controller's writes as a cluster makes them: an election and the controller gate's
 * configuration writer on `store`. publish() resolves with the revision of the version key.
 */
export async function startPublisher(
  store: Store,
  dataKey: DataKey,
): Promise<{ publish(config: DynamicConfig): Promise<number>; close(): Promise<void> }> {
  let publishFn: ((p: PublishedConfiguration) => void) | undefined;
  let version = 0;
  const duty: ControllerDuty = {
    start: (publish, initialVersion) => {
      publishFn = publish;
      version = initialVersion;
      return Promise.resolve();
    },
    stop: () => Promise.resolve(),
  };
  const election = new Election({ store, nodeId: 'controller', ttlMs: 2000 });
  const gate = new ControllerGate({ store, election, dataKey, log, duty: () => duty });
  election.start();
  await until(() => gate.active && publishFn !== undefined, 'the controller elected');
  return {
    async publish(config) {
      const mine = ++version;
      publishFn!({ version: mine, config, errors: [] });
      let revision = 0;
      await until(async () => {
        const kv = (await store.get(CONFIG_VERSION_KEY)).kv;
        if (kv === undefined) return false;
        revision = kv.modRevision;
        return (JSON.parse(new TextDecoder().decode(kv.value)) as { version: number }).version === mine;
      }, `version ${mine} written`);
      return revision;
    },
    async close() {
      await election.close();
      await gate.settled();
    },
  };
}

export function startServer(
  options: Omit<DistributionServerOptions, 'listen' | 'log'> & Partial<DistributionServerOptions>,
): Promise<DistributionServer> {
  return DistributionServer.start({ listen: { host: '127.0.0.1', port: 0 }, log, ...options });
}

/** A client whose data plane is a recorder that takes every version. */
export function recordingClient(
  options: Omit<DataNodeClientOptions, 'apply' | 'log' | 'localEntryPoints'> &
    Partial<Pick<DataNodeClientOptions, 'apply'>>,
): { client: DataNodeClient; applied: ApplyInput[] } {
  const applied: ApplyInput[] = [];
  const accept = (input: ApplyInput): Promise<ApplyOutcome> => {
    applied.push(input);
    return Promise.resolve({ ok: true, version: input.version, errors: [] });
  };
  const client = new DataNodeClient({ log, localEntryPoints: {}, apply: accept, ...options });
  return { client, applied };
}
