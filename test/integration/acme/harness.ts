// The ACME tests' cluster in one process: a local store, a controller term, the ACME
// manager, and a real DataPlane fed the ACME keys from the store the way the distribution
// feeds a data node (opened, through acmeInputFromEntries). waitForRevision answers once
// that data plane applied the revision, as the distribution's does for its data nodes.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Election, ElectionError, type Term } from '../../../src/cluster/election/index.js';
import {
  CONFIG_PREFIX,
  CONFIG_VERSION_KEY,
  isSealedAcmeKey,
  STREAMED_ACME_PREFIXES,
} from '../../../src/cluster/node/index.js';
import { DataKey } from '../../../src/cluster/pki/index.js';
import { LocalStore, readPrefix, type Watch } from '../../../src/cluster/store/index.js';
import type { DynamicConfig } from '../../../src/config/dynamic/index.js';
import { StaticConfig, type CertificatesResolver } from '../../../src/config/static/index.js';
import {
  AcmeManager,
  type AcmeManagerOptions,
  type OrderRecord,
  ACME_ORDERS_PREFIX,
} from '../../../src/controller/acme/index.js';
import { DataPlane } from '../../../src/dataplane/index.js';
import { entriesToInput } from '../../../src/distribution/index.js';
import { createLogger } from '../../../src/log/index.js';
import { dynamic, entryPoints, type EntryPoints } from '../dataplane/harness.js';
import { freePort } from '../support/etcd.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// The last lines logged (DEBUG and up) are kept so that a test that times out can say
// what the manager was doing; ACME_TEST_LOG=1 also prints every line as it comes.
const RECENT_LINES = 40;
const recentLines: string[] = [];
export const silent = createLogger({
  level: 'DEBUG',
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      recentLines.push(chunk.toString('utf8').trimEnd());
      if (recentLines.length > RECENT_LINES) recentLines.shift();
      if (process.env.ACME_TEST_LOG === '1') process.stderr.write(chunk);
      done();
    },
  }),
});

export interface Rig {
  readonly store: LocalStore;
  readonly dataKey: DataKey;
  readonly dataPlane: DataPlane;
  readonly httpPort: number;
  readonly tlsPort: number;
  readonly entryPoints: EntryPoints;
  /** The store revision the data plane last applied. */
  applied(): number;
  waitForRevision(revision: number): Promise<{ ok: boolean }>;
  /** Publishes routers (Traefik's http.routers, names qualified) as the controller would. */
  publishRouters(routers: Record<string, unknown>): Promise<void>;
  /** Elects a controller (a new term each time) and starts a manager for it. */
  startManager(
    resolvers: Record<string, unknown>,
    extra?: Partial<AcmeManagerOptions>,
    /**
     * The controller dies (its term ends, as with kill -9) after this many store writes:
     * `after` the last one succeeded (before anything else happens), or `during` the
     * next one (whatever the manager did since, at the CA too, is not recorded).
     */
    death?: { readonly writes: number; readonly when: 'after' | 'during' },
  ): Promise<RunningManager>;
  orders(): Promise<Map<string, OrderRecord>>;
  close(): Promise<void>;
}

export interface RunningManager {
  readonly manager: AcmeManager;
  readonly term: Term;
  readonly election: Election;
  /** Stops the manager and resigns, as a controller that shuts down. */
  stop(): Promise<void>;
}

let configVersion = 0;

export async function startRig(options: { httpPort?: number; tlsPort?: number } = {}): Promise<Rig> {
  const dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sy-acme-'));
  const store = await LocalStore.open({ dir, historyLimit: 1_000_000 });
  const ring = await DataKey.create([DataKey.generateSecret()]);
  if (!ring.ok) throw ring.error;
  const dataKey = ring.value;
  const httpPort = options.httpPort ?? (await freePort());
  const tlsPort = options.tlsPort ?? (await freePort());
  const eps = entryPoints({
    web: { address: `127.0.0.1:${httpPort}` },
    websecure: { address: `127.0.0.1:${tlsPort}` },
  });
  const dataPlane = new DataPlane({ logger: silent, serverName: 'switchyard-test' });
  let routers: Record<string, unknown> = {};
  let applied = 0;
  let feeding = Promise.resolve();

  /** What a data node would be sent: every streamed key, opened. */
  const feed = async (): Promise<void> => {
    const entries: [string, string][] = [];
    let revision = 0;
    for (const prefix of STREAMED_ACME_PREFIXES) {
      const read = await readPrefix(store, prefix);
      revision = Math.max(revision, read.revision);
      for (const kv of read.kvs) {
        if (!isSealedAcmeKey(kv.key)) {
          entries.push([kv.key, decoder.decode(kv.value)]);
          continue;
        }
        const opened = await dataKey.open(kv.value, kv.key);
        if (!opened.ok) throw opened.error;
        entries.push([kv.key, decoder.decode(opened.value)]);
      }
    }
    // The distribution's own decoding; the version key stands for a published configuration.
    entries.push([CONFIG_VERSION_KEY, '{"version":1}']);
    const decoded = entriesToInput(new Map(entries), revision, eps);
    if (!decoded.ok) throw new Error(decoded.errors.map(String).join('; '));
    const config: DynamicConfig = dynamic({ http: { routers } });
    config.tls.certificates.push(...(decoded.value.input.dynamic?.tls.certificates ?? []));
    const outcome = await dataPlane.apply({ ...decoded.value.input, dynamic: config });
    if (!outcome.ok) throw new Error(outcome.errors.map(String).join('; '));
    applied = Math.max(applied, revision);
  };
  // Changes that arrive while a feed waits to start are taken by that feed, as the
  // distribution coalesces a burst of writes into one delta.
  let queued = false;
  const refeed = (): void => {
    if (queued) return;
    queued = true;
    feeding = feeding
      .then(() => {
        queued = false;
        return feed();
      })
      .catch((err: unknown) => {
        process.stderr.write(`feeding the data plane failed: ${String(err)}\n`);
      });
  };
  await feed();
  const watches: Watch[] = STREAMED_ACME_PREFIXES.map((prefix) => store.watch(prefix, 0, () => refeed()));
  const managers: RunningManager[] = [];
  let nodes = 0;

  const rig: Rig = {
    store,
    dataKey,
    dataPlane,
    httpPort,
    tlsPort,
    entryPoints: eps,
    applied: () => applied,
    async waitForRevision(revision) {
      const deadline = Date.now() + 10_000;
      while (applied < revision) {
        if (Date.now() > deadline) return { ok: false };
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return { ok: true };
    },
    async publishRouters(next) {
      routers = next;
      const old = await readPrefix(store, `${CONFIG_PREFIX}http/routers/`);
      for (const kv of old.kvs) await store.delete(kv.key);
      for (const [name, router] of Object.entries(next)) {
        await store.put(`${CONFIG_PREFIX}http/routers/${name}`, encoder.encode(JSON.stringify(router)));
      }
      await store.put(
        CONFIG_VERSION_KEY,
        encoder.encode(JSON.stringify({ version: ++configVersion, nodeId: 'test' })),
      );
      refeed();
    },
    async startManager(resolvers, extra = {}, death = { writes: Infinity, when: 'after' }) {
      const election = new Election({ store, nodeId: `cp-${++nodes}`, ttlMs: 1000 });
      const elected = new Promise<Term>((resolve) => election.once('elected', resolve));
      election.start();
      const term = await elected;
      let writes = 0;
      let dead = false;
      const die = async (): Promise<void> => {
        dead = true;
        // The lease is revoked at once rather than left to expire: the successor starts
        // sooner, and nothing else differs from a kill -9.
        await election.close();
      };
      const dying: Pick<Election, 'fencedTxn' | 'term'> = {
        get term() {
          return dead ? undefined : election.term;
        },
        async fencedTxn(t, request) {
          if (!dead && death.when === 'during' && writes >= death.writes) await die();
          if (dead) throw new ElectionError('ELECTION_FENCED', election.key, 'this controller is dead');
          const res = await election.fencedTxn(t, request);
          if (++writes >= death.writes && death.when === 'after') await die();
          return res;
        },
      };
      const manager = new AcmeManager({
        store,
        election: dying,
        term,
        dataKey,
        resolvers: resolvers as Record<string, CertificatesResolver>,
        entryPoints: eps,
        log: silent,
        waitForRevision: (revision) => rig.waitForRevision(revision),
        env: {},
        backoff: { baseMs: 200, maxMs: 2_000 },
        poll: { minMs: 50, maxMs: 500, timeoutMs: 20_000 },
        ...extra,
      });
      // A controller that dies while it starts is a case the failover tests make.
      await manager.start().catch((err: unknown) => {
        if (!dead) throw err;
      });
      const running: RunningManager = {
        manager,
        term,
        election,
        stop: async () => {
          await manager.stop();
          await election.close();
        },
      };
      managers.push(running);
      return running;
    },
    async orders() {
      const { kvs } = await readPrefix(store, ACME_ORDERS_PREFIX);
      return new Map(kvs.map((kv) => [kv.key, JSON.parse(decoder.decode(kv.value)) as OrderRecord]));
    },
    async close() {
      for (const running of managers) await running.stop();
      for (const watch of watches) watch.cancel();
      await feeding;
      await dataPlane.close(0);
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** A resolver section as the static configuration parses it (entrypoints web and websecure exist). */
export function resolver(acme: Record<string, unknown>): CertificatesResolver {
  return StaticConfig.parse({
    entryPoints: { web: { address: ':80' }, websecure: { address: ':443' } },
    certificatesResolvers: { r: { acme } },
  }).certificatesResolvers.r!;
}

/** Polls until `probe` holds, or fails with `what` and the last lines logged. */
export async function until<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not reached within ${timeoutMs} ms; last logged:\n${recentLines.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Routers asking resolver `r` for certificates: one per host, on websecure. */
export function routersFor(hosts: readonly string[], service = 'noop@internal'): Record<string, unknown> {
  return Object.fromEntries(
    hosts.map((host, i) => [
      `r${i}@file`,
      { rule: `Host(\`${host}\`)`, service, entryPoints: ['websecure'], tls: { certResolver: 'r' } },
    ]),
  );
}
