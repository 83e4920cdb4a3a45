// Real etcd members on loopback, each run by an EtcdSupervisor, with peer and client TLS
// issued by a real cluster CA (src/cluster/pki). Everything lives in one temporary
// directory (in /dev/shm when there is one, so fsync costs nothing); dispose() stops
// every supervisor started through the harness and removes the directory.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createClusterCa,
  createNodeCsr,
  issueNodeCertificate,
  writeCredentials,
  CREDENTIAL_FILES,
  type PkiResult,
} from '../../../src/cluster/pki/index.js';
import {
  EtcdMember,
  EtcdSupervisor,
  openSidecarStore,
  type EtcdSupervisorOptions,
} from '../../../src/cluster/etcd/index.js';
import { EtcdStore } from '../../../src/cluster/store/index.js';

export const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';

export interface NodeSpec {
  readonly name: string;
  readonly dataDir: string;
  readonly member: EtcdMember;
}

export interface Harness {
  readonly dir: string;
  /** A member spec on fresh loopback ports; the same name keeps its data directory and ports. */
  node(name: string): Promise<NodeSpec>;
  supervisor(spec: NodeSpec, options?: Partial<EtcdSupervisorOptions>): EtcdSupervisor;
  /** Three (or `n`) members bootstrapped together from cold; resolves when all have a leader. */
  coldStart(names: readonly string[]): Promise<EtcdSupervisor[]>;
  /** A store client over the given supervisors' client URLs. */
  store(sups: readonly EtcdSupervisor[], requestTimeoutMs?: number): Promise<EtcdStore>;
  dispose(): Promise<void>;
}

const must = <T>(r: PkiResult<T>): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
};

export interface HarnessOptions {
  /** Default true: peer and client TLS from a cluster CA. */
  readonly tls?: boolean;
  /** etcd's heartbeat and election timeout (defaults: etcd's own, 100 ms and 1000 ms). */
  readonly heartbeatMs?: number;
  readonly electionMs?: number;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sy-sidecar-'));
  const tls = options.tls ?? true;
  const ca = tls ? must(await createClusterCa({ clusterId: 'test' })) : undefined;
  const specs = new Map<string, NodeSpec>();
  const sups = new Set<EtcdSupervisor>();
  const stores = new Set<EtcdStore>();
  const scheme = tls ? 'https' : 'http';

  const node = async (name: string): Promise<NodeSpec> => {
    const known = specs.get(name);
    if (known !== undefined) return known;
    let tlsFiles: EtcdMember['tls'];
    if (ca !== undefined) {
      const csr = must(await createNodeCsr({ nodeId: name, role: 'control', ipAddresses: ['127.0.0.1'] }));
      const grant = { role: 'control' as const, nodeId: name, allowedIps: ['127.0.0.1'] };
      const issued = must(await issueNodeCertificate(ca, csr.csrPem, grant));
      const credDir = join(dir, `${name}-tls`);
      await writeCredentials(credDir, { caPem: ca.certPem, certPem: issued.certPem, keyPem: csr.keyPem });
      tlsFiles = {
        caFile: join(credDir, CREDENTIAL_FILES.caPem),
        certFile: join(credDir, CREDENTIAL_FILES.certPem),
        keyFile: join(credDir, CREDENTIAL_FILES.keyPem),
        allowedPeerCn: 'switchyard-control',
      };
    }
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const clientUrl = `${scheme}://127.0.0.1:${clientPort}`;
    const peerUrl = `${scheme}://127.0.0.1:${peerPort}`;
    const dataDir = join(dir, name, 'etcd');
    const member = EtcdMember.parse({
      name,
      dataDir,
      listenPeerUrls: [peerUrl],
      advertisePeerUrls: [peerUrl],
      listenClientUrls: [clientUrl],
      advertiseClientUrls: [clientUrl],
      clusterToken: 'test',
      tls: tlsFiles,
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
      ...(options.electionMs === undefined ? {} : { electionMs: options.electionMs }),
    });
    const spec = { name, dataDir, member };
    specs.set(name, spec);
    return spec;
  };

  const supervisor = (spec: NodeSpec, extra: Partial<EtcdSupervisorOptions> = {}): EtcdSupervisor => {
    const sup = new EtcdSupervisor({
      member: spec.member,
      binary: ETCD_BIN,
      startTimeoutMs: 15_000,
      requestTimeoutMs: 1000,
      statusIntervalMs: 250,
      stopGraceMs: 3000,
      ...extra,
    });
    sups.add(sup);
    return sup;
  };

  return {
    dir,
    node,
    supervisor,
    async coldStart(names) {
      const nodes = await Promise.all(names.map(node));
      const peers = nodes.map((n) => ({ name: n.name, peerUrls: n.member.advertisePeerUrls }));
      const started = nodes.map((n) => supervisor(n));
      await Promise.all(started.map((s) => s.bootstrapNew(peers)));
      return started;
    },
    async store(list, requestTimeoutMs = 1500) {
      const store =
        list.length === 1
          ? await openSidecarStore(list[0]!, requestTimeoutMs)
          : await EtcdStore.open({
              endpoints: list.flatMap((s) => s.clientUrls),
              tls: list[0]?.clientTls,
              requestTimeoutMs,
            });
      stores.add(store);
      return store;
    },
    async dispose() {
      for (const s of stores) await s.close().catch(() => undefined);
      // Tearing down: no leadership hand-over wanted, so no grace period either.
      await Promise.all(
        [...sups].map((s) => {
          const pid = s.pid;
          const stopped = s.stop().catch(() => undefined);
          if (pid !== undefined) killQuietly(pid);
          return stopped;
        }),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * A free loopback port below Linux's ephemeral range (32768 and up): a port picked there
 * can be taken, between the check and etcd's bind, by any outgoing connection, etcd's
 * own connections to its peers included.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    server.close();
    await once(server, 'close');
    return port;
  }
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${ms} ms${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
