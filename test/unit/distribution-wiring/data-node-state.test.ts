import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  readDataNodeState,
  writeDataNodeState,
  type DataNodeState,
} from '../../../src/cli/data-node-state.js';
import { makeCa, makeNode } from '../pki/fixtures.js';

// A data node's state directory: what lets it restart without a token.

const GOSSIP_KEY = randomBytes(32).toString('base64');
const state = (nodeId: string): DataNodeState => ({
  clusterId: 'prod',
  nodeId,
  role: 'data',
  gossipKeys: [GOSSIP_KEY],
  gossipSeeds: ['10.0.0.1:7946'],
  distribution: ['10.0.0.1:4243'],
});

describe('data node state directory', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sy-data-state-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a directory that never joined holds no state', async () => {
    assert.equal(await readDataNodeState(join(dir, 'never')), undefined);
  });

  test('what a join wrote reads back; data-node.json and the key are 0600', async () => {
    const ca = await makeCa('prod');
    const credentials = await makeNode(ca, { nodeId: 'edge-1', role: 'data' });
    const at = join(dir, 'edge-1');
    await writeDataNodeState(at, { state: state('edge-1'), credentials });
    assert.deepEqual(await readDataNodeState(at), { state: state('edge-1'), credentials });
    assert.equal((await stat(join(at, 'data-node.json'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(at, 'pki', 'key.pem'))).mode & 0o777, 0o600);
  });

  const refused: { desc: string; write: (at: string) => Promise<void>; path: RegExp }[] = [
    {
      desc: 'credentials of another node',
      write: async (at) => {
        const ca = await makeCa('prod');
        const credentials = await makeNode(ca, { nodeId: 'edge-2', role: 'data' });
        await writeDataNodeState(at, { state: state('edge-1'), credentials });
      },
      path: /pki/,
    },
    {
      desc: 'control credentials',
      write: async (at) => {
        const ca = await makeCa('prod');
        const credentials = await makeNode(ca, { nodeId: 'edge-1', role: 'control' });
        await writeDataNodeState(at, { state: state('edge-1'), credentials });
      },
      path: /pki/,
    },
    {
      desc: 'a data-node.json that is not JSON',
      write: async (at) => {
        const ca = await makeCa('prod');
        await writeDataNodeState(at, {
          state: state('edge-1'),
          credentials: await makeNode(ca, { nodeId: 'edge-1', role: 'data' }),
        });
        await writeFile(join(at, 'data-node.json'), '{');
      },
      path: /data-node\.json$/,
    },
    {
      desc: 'a gossip key of the wrong size, named by its field',
      write: async (at) => {
        const ca = await makeCa('prod');
        await writeDataNodeState(at, {
          state: { ...state('edge-1'), gossipKeys: ['c2hvcnQ='] },
          credentials: await makeNode(ca, { nodeId: 'edge-1', role: 'data' }),
        });
      },
      path: /data-node\.json:gossipKeys\.0$/,
    },
  ];
  for (const c of refused) {
    test(`refused with NODE_STATE_INVALID: ${c.desc}`, async () => {
      const at = join(dir, `bad-${Math.random().toString(16).slice(2)}`);
      await c.write(at);
      await assert.rejects(readDataNodeState(at), (err: { code?: string; path?: string }) => {
        assert.equal(err.code, 'NODE_STATE_INVALID');
        assert.match(err.path ?? '', c.path);
        return true;
      });
    });
  }

  test('the state names no private key of the cluster: only the node key and gossip keys', async () => {
    const text = await readFile(join(dir, 'edge-1', 'data-node.json'), 'utf8');
    assert.deepEqual(Object.keys(JSON.parse(text) as object).sort(), [
      'clusterId',
      'distribution',
      'gossipKeys',
      'gossipSeeds',
      'nodeId',
      'role',
    ]);
  });
});
