import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { staticDocumentKey, type ClusterView } from '../../../src/api/admin/index.js';
import { decodeArchive, restoreArchive } from '../../../src/cluster/backup/index.js';
import {
  encodeRemovedNode,
  REMOVED_NODES_PREFIX,
  RemovedNode,
  removedNodeKey,
} from '../../../src/cluster/node/index.js';
import { LocalStore, type KeyValue } from '../../../src/cluster/store/index.js';
import { makeCa, makeNode } from '../../unit/pki/fixtures.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, startCluster, waitFor, type Cluster } from './harness.js';

const HOUR = 3_600_000;

describe('admin API over mutual TLS', { timeout: 60_000 }, () => {
  let cluster: Cluster;
  // cp-1 is the controller, cp-2 is not: most calls go to cp-2 to exercise forwarding.
  const cp1 = () => cluster.control[0];
  const cp2 = () => cluster.control[1];
  const asAdmin = (port: number, method: string, path: string, body?: unknown) =>
    call(port, cluster.ca.certPem, cluster.admin, method, path, body);

  before(async () => {
    cluster = await startCluster(['edge-1', 'edge-2', 'edge-3']);
  });
  after(async () => {
    await cluster?.close();
  });

  test('GET /api/cluster/nodes: every node with its role, status, controller and config version', async () => {
    cluster.data.get('edge-1')!.update({ configVersion: 42 });
    await waitFor('cp-2 to hear edge-1 applied 42', 5000, () =>
      cp2()
        .gossip.members()
        .some((m) => m.info.id === 'edge-1' && m.info.configVersion === 42),
    );
    const res = await asAdmin(cp2().port, 'GET', '/api/cluster/nodes');
    assert.equal(res.status, 200);
    const view = res.json() as unknown as ClusterView;
    assert.deepEqual(
      view.nodes.map((n) => [n.id, n.role, n.status, n.controller, n.self]),
      [
        ['cp-1', 'control', 'READY', true, false],
        ['cp-2', 'control', 'READY', false, true],
        ['edge-1', 'data', 'READY', false, false],
        ['edge-2', 'data', 'READY', false, false],
        ['edge-3', 'data', 'READY', false, false],
      ],
    );
    assert.equal(view.nodes.find((n) => n.id === 'edge-1')?.configVersion, 42);
    assert.equal(view.controller, 'cp-1');
    // No etcd here (a local store): membership NONE, quorum unknown, nothing partial.
    assert.equal(view.quorum, 'UNKNOWN');
    assert.deepEqual(view.warnings, []);
  });

  describe('refusals', () => {
    test('no client certificate: the TLS handshake fails, nothing is answered', async () => {
      await assert.rejects(
        call(cp2().port, cluster.ca.certPem, undefined, 'GET', '/api/cluster/nodes'),
        (err: Error) => {
          assert.match(err.message, /certificate required|socket hang up|ECONNRESET|alert/i);
          return true;
        },
      );
    });

    test("a certificate from another cluster's CA: the handshake fails", async () => {
      const other = await makeCa('prod');
      const stranger = await makeNode(other, { nodeId: 'cp-1', role: 'control' });
      await assert.rejects(call(cp2().port, cluster.ca.certPem, stranger, 'GET', '/api/cluster/nodes'));
    });

    const refused = [
      {
        desc: 'a data node may not use the admin API at all',
        role: 'data',
        method: 'GET',
        path: '/api/cluster/nodes',
      },
      {
        desc: 'a data node may not forward writes',
        role: 'data',
        method: 'PUT',
        path: '/api/config/static/x',
      },
      {
        desc: 'a control node may only forward writes',
        role: 'control',
        method: 'GET',
        path: '/api/cluster/nodes',
      },
      {
        desc: 'a control node may not take backups',
        role: 'control',
        method: 'GET',
        path: '/api/cluster/backup',
      },
      {
        desc: 'a control node may not remove nodes',
        role: 'control',
        method: 'DELETE',
        path: '/api/cluster/nodes/edge-3',
      },
    ] as const;
    for (const c of refused) {
      test(`403: ${c.desc}`, async () => {
        const creds = await cluster.credentials(c.role === 'data' ? 'edge-9' : 'cp-9', c.role);
        const res = await call(
          cp2().port,
          cluster.ca.certPem,
          creds,
          c.method,
          c.path,
          c.method === 'PUT' ? {} : undefined,
        );
        assert.equal(res.status, 403);
        assert.equal(res.json().error?.code, 'PKI_ROLE_DENIED');
      });
    }

    test('403: a removed control node may not forward writes, its certificate notwithstanding', async () => {
      const creds = await cluster.credentials('cp-8', 'control');
      const forward = () =>
        call(cp2().port, cluster.ca.certPem, creds, 'PUT', '/api/config/static/denied', {});
      // Before the removal the same certificate gets past the deny list (and is refused
      // further on, as any forward that reaches a non-controller).
      assert.equal((await forward()).json().error?.code, 'ADMIN_NO_CONTROLLER');
      await cluster.store.put(
        removedNodeKey('cp-8'),
        encodeRemovedNode({
          nodeId: 'cp-8',
          role: 'control',
          reason: 'removed',
          removedAt: new Date().toISOString(),
          by: 'spiffe://prod/admin/admin',
        }),
      );
      const res = await forward();
      assert.equal(res.status, 403);
      assert.equal(res.json().error?.code, 'PKI_NODE_REMOVED');
    });

    test('an unknown route is a JSON 404', async () => {
      const res = await asAdmin(cp2().port, 'GET', '/api/nothing');
      assert.equal(res.status, 404);
      assert.equal(res.json().error?.code, 'ADMIN_NOT_FOUND');
    });
  });

  describe('writes go to the controller', () => {
    const doc = { entryPoints: { web: { address: ':80' } } };
    // `entrypoints` is the one document the controller accepts (static-document.ts).
    const stored = async (): Promise<Record<string, unknown> | undefined> => {
      const { kv } = await cluster.store.get(staticDocumentKey('entrypoints'));
      return kv === undefined
        ? undefined
        : (JSON.parse(new TextDecoder().decode(kv.value)) as Record<string, unknown>);
    };
    const path = '/api/config/static/entrypoints';

    test('a write to a non-controller is forwarded, and names the admin who asked', async () => {
      const res = await asAdmin(cp2().port, 'PUT', path, doc);
      assert.equal(res.status, 200, res.body.toString());
      assert.equal(res.json().key, '/switchyard/static/entrypoints');
      const saved = await stored();
      assert.deepEqual(saved?.document, doc);
      assert.equal(saved?.updatedBy, 'spiffe://prod/admin/admin');
    });

    test("the controller's own answers come back through the forward: delete, not found, conflict", async () => {
      const deleted = await asAdmin(cp2().port, 'DELETE', path);
      assert.equal(deleted.status, 200);
      assert.equal(await stored(), undefined);
      const missing = await asAdmin(cp2().port, 'DELETE', path);
      assert.equal(missing.status, 404);
      const created = await asAdmin(cp2().port, 'POST', path, doc);
      assert.equal(created.status, 201);
      const again = await asAdmin(cp2().port, 'POST', path, doc);
      assert.equal(again.status, 409);
      assert.equal(again.json().error?.code, 'ADMIN_CONFLICT');
    });

    test('the controller handles a write itself', async () => {
      const other = { entryPoints: { web: { address: ':81' } } };
      const res = await asAdmin(cp1().port, 'PUT', path, other);
      assert.equal(res.status, 200, res.body.toString());
      assert.deepEqual((await stored())?.document, other);
    });

    const invalid = [
      { desc: 'a body that is not a JSON object', body: [1, 2], message: /JSON object/ },
      {
        desc: 'a bad document name',
        path: '/api/config/static/..%2Fescape',
        body: {},
        message: /not a document name/,
      },
    ];
    for (const c of invalid) {
      test(`400 from the controller, through the forward: ${c.desc}`, async () => {
        const res = await asAdmin(cp2().port, 'PUT', c.path ?? '/api/config/static/x', c.body);
        assert.equal(res.status, 400);
        assert.equal(res.json().error?.code, 'ADMIN_INVALID');
        assert.match(res.json().error!.message, c.message);
      });
    }

    test('a forwarded write that reaches a non-controller is refused, not forwarded again', async () => {
      const res = await call(cp2().port, cluster.ca.certPem, cp1().credentials, 'PUT', path, {
        entryPoints: { loop: { address: ':82' } },
      });
      assert.equal(res.status, 503);
      assert.equal(res.json().error?.code, 'ADMIN_NO_CONTROLLER');
      const saved = (await stored())?.document as { entryPoints?: Record<string, unknown> } | undefined;
      assert.equal(saved?.entryPoints?.loop, undefined);
    });
  });

  describe('removing nodes', () => {
    test('a node that is up is not removed unless forced', async () => {
      const res = await asAdmin(cp2().port, 'DELETE', '/api/cluster/nodes/edge-2');
      assert.equal(res.status, 409);
      assert.match(res.json().error!.message, /is up/);
      const self = await asAdmin(cp2().port, 'DELETE', '/api/cluster/nodes/cp-2?force=true');
      assert.equal(self.status, 409);
      assert.match(self.json().error!.message, /serving this request/);
    });

    test('remove-node of a dead node: gone from the list, and on the deny list', async () => {
      await cluster.data.get('edge-2')!.close();
      await waitFor('cp-2 to see edge-2 dead', 15_000, () =>
        cp2()
          .gossip.members()
          .some((m) => m.info.id === 'edge-2' && m.state === 'dead'),
      );
      const res = await asAdmin(cp2().port, 'DELETE', '/api/cluster/nodes/edge-2');
      assert.equal(res.status, 200, res.body.toString());
      const list = (await asAdmin(cp2().port, 'GET', '/api/cluster/nodes')).json() as unknown as ClusterView;
      assert.ok(!list.nodes.some((n) => n.id === 'edge-2'));
      const { kv } = await cluster.store.get(`${REMOVED_NODES_PREFIX}edge-2`);
      const record = RemovedNode.parse(JSON.parse(new TextDecoder().decode(kv!.value)));
      assert.deepEqual(
        { ...record, removedAt: undefined },
        {
          nodeId: 'edge-2',
          role: 'data',
          reason: 'removed',
          by: 'spiffe://prod/admin/admin',
          removedAt: undefined,
        },
      );
    });

    test('dead-node cleanup: only the controller acts, and only past the timeout', async () => {
      const edge3 = cluster.data.get('edge-3')!;
      await edge3.leave();
      await edge3.close();
      await waitFor('cp-1 to see edge-3 leave', 10_000, () =>
        cp1()
          .gossip.members()
          .some((m) => m.info.id === 'edge-3' && m.state === 'left'),
      );
      assert.deepEqual(await cp2().server.cleanup.runOnce(Date.now() + 2 * HOUR), [], 'not the controller');
      assert.deepEqual(await cp1().server.cleanup.runOnce(Date.now()), [], 'not down long enough');
      const removed = await cp1().server.cleanup.runOnce(Date.now() + 2 * HOUR);
      // edge-2 was removed already; only edge-3 expires.
      assert.deepEqual(
        removed.map((r) => [r.nodeId, r.reason, r.by]),
        [['edge-3', 'expired', 'cp-1']],
      );
      const list = (await asAdmin(cp1().port, 'GET', '/api/cluster/nodes')).json() as unknown as ClusterView;
      assert.deepEqual(
        list.nodes.map((n) => n.id),
        ['cp-1', 'cp-2', 'edge-1'],
      );
    });
  });

  test('GET /api/cluster/backup: restored into a fresh store, it equals the original key set', async () => {
    const res = await asAdmin(cp2().port, 'GET', '/api/cluster/backup');
    assert.equal(res.status, 200);
    const archive = decodeArchive(res.body);
    assert.ok(archive.ok, archive.ok ? '' : archive.error.message);
    assert.equal(archive.value.manifest.clusterId, 'prod');

    const dir = await mkdtemp(join(tmpdir(), 'sy-restore-'));
    const copy = await LocalStore.open({ dir });
    try {
      await restoreArchive(copy, res.body);
      const unleased = (kvs: readonly KeyValue[]) =>
        kvs
          .filter((kv) => kv.lease === undefined)
          .map((kv) => [kv.key, Buffer.from(kv.value).toString('hex')]);
      const original = unleased((await cluster.store.list('/switchyard/', { limit: 10_000 })).kvs);
      assert.ok(original.length >= 4, 'documents and removal records were written');
      assert.deepEqual(unleased((await copy.list('/switchyard/', { limit: 10_000 })).kvs), original);
      // The election key is held by a lease: a new cluster elects its own controller.
      assert.equal((await copy.get('/switchyard/controller')).kv, undefined);
    } finally {
      await copy.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
