// Two control nodes' admin APIs over one local store, with real gossip nodes on loopback
// and a real controller election: cp-1 wins, cp-2 forwards writes to it. Data nodes are
// gossip nodes alone, which is all the admin API sees of them.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminServer, type AdminSources } from '../../../src/api/admin/index.js';
import { Election } from '../../../src/cluster/election/index.js';
import { GossipConfig, GossipNode, type NodeRole } from '../../../src/cluster/gossip/index.js';
import { createAdminCredentials, type ClusterCa, type Credentials } from '../../../src/cluster/pki/index.js';
import { LocalStore } from '../../../src/cluster/store/index.js';
import { makeCa, makeNode, must } from '../../unit/pki/fixtures.js';

export const HOST = '127.0.0.1';

const gossipKey = randomBytes(32).toString('base64');
const gossipConfig = (): GossipConfig =>
  GossipConfig.parse({
    clusterName: 'admin-it',
    keys: [gossipKey],
    bindAddr: HOST,
    bindPort: 0,
  });

export async function startGossip(id: string, role: NodeRole, seed?: string): Promise<GossipNode> {
  const node = new GossipNode({
    config: gossipConfig(),
    self: { id, role, addresses: {}, version: '0.1.0-test', configVersion: 0 },
  });
  await node.start();
  if (seed !== undefined) await node.join([seed]);
  return node;
}

export async function waitFor(
  what: string,
  ms: number,
  done: () => boolean | Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

export interface ControlNode {
  readonly id: string;
  readonly gossip: GossipNode;
  readonly election: Election;
  readonly server: AdminServer;
  readonly port: number;
  readonly credentials: Credentials;
}

export interface Cluster {
  readonly ca: ClusterCa;
  readonly store: LocalStore;
  readonly control: readonly [ControlNode, ControlNode];
  readonly data: Map<string, GossipNode>;
  readonly admin: Credentials;
  credentials(nodeId: string, role: 'control' | 'data'): Promise<Credentials>;
  close(): Promise<void>;
}

export async function startCluster(dataIds: readonly string[]): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'sy-admin-it-'));
  const store = await LocalStore.open({ dir });
  const ca = await makeCa('prod');
  const admin = must(await createAdminCredentials(ca));
  const control: ControlNode[] = [];
  for (const id of ['cp-1', 'cp-2']) {
    const credentials = await makeNode(ca, { nodeId: id, role: 'control', ipAddresses: [HOST] });
    const gossip = await startGossip(id, 'control', control[0]?.gossip.addr);
    const election = new Election({ store, nodeId: id });
    election.start();
    // cp-1 campaigns first and alone, so it is the controller.
    if (id === 'cp-1') await waitFor('cp-1 elected', 5000, () => election.term !== undefined);
    const sources: AdminSources = { store, gossip, election };
    const server = new AdminServer({
      sources,
      credentials,
      host: HOST,
      port: 0,
      cleanupIntervalMs: 3_600_000,
    });
    const { port } = await server.listen();
    gossip.update({ addresses: { admin: `${HOST}:${port}` } });
    control.push({ id, gossip, election, server, port, credentials });
  }
  const data = new Map<string, GossipNode>();
  for (const id of dataIds) data.set(id, await startGossip(id, 'data', control[0]!.gossip.addr));
  const all = [...control.map((c) => c.gossip), ...data.values()];
  await waitFor('gossip to converge', 10_000, () =>
    all.every((g) => g.members().filter((m) => m.state === 'alive').length === all.length),
  );
  // Admin addresses were set after the joins: wait until every node has heard them.
  await waitFor('admin addresses to spread', 10_000, () =>
    all.every((g) => g.members().filter((m) => m.info.addresses.admin !== undefined).length === 2),
  );
  return {
    ca,
    store,
    control: [control[0]!, control[1]!],
    data,
    admin,
    credentials: (nodeId, role) => makeNode(ca, { nodeId, role }),
    async close() {
      for (const c of control) {
        await c.server.close();
        await c.election.close();
      }
      await Promise.all([
        ...control.map((c) => c.gossip.close()),
        ...[...data.values()].map((g) => g.close()),
      ]);
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly body: Buffer;
  readonly json: () => { error?: { code: string; path: string; message: string } } & Record<string, unknown>;
}

/**
 * One HTTPS request to an admin API, presenting `client` (or no certificate at all).
 * Trusts `ca` and skips host-name checks, like the admin client's identity check.
 */
export function call(
  port: number,
  ca: string,
  client: Credentials | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: HOST,
        port,
        method,
        path,
        ca: [ca],
        ...(client === undefined ? {} : { cert: client.certPem, key: client.keyPem }),
        checkServerIdentity: () => undefined,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
        timeout: 10_000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const all = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, body: all, json: () => JSON.parse(all.toString('utf8')) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}
