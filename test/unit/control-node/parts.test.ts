import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ControlJoinInfo,
  DataJoinInfo,
  formationKey,
  formationProof,
  formationToken,
  isNodeError,
  joinInfoFor,
  parsePeerAddress,
  readNodeState,
  STATE_FILES,
  type NodeState,
} from '../../../src/cluster/node/index.js';
import { writeNodeSecrets, writeNodeState, readNodeSecrets } from '../../../src/cluster/node/state-dir.js';
import { parseJoinToken } from '../../../src/cluster/pki/index.js';

describe('parsePeerAddress', () => {
  const cases = [
    {
      desc: 'a name takes the default port',
      text: 'tasks.control',
      want: { host: 'tasks.control', port: 4242 },
    },
    { desc: 'host and port', text: '10.0.0.2:5000', want: { host: '10.0.0.2', port: 5000 } },
    { desc: 'bracketed IPv6 and port', text: '[::1]:4243', want: { host: '::1', port: 4243 } },
    { desc: 'bare IPv6', text: 'fd00::2', want: { host: 'fd00::2', port: 4242 } },
    { desc: 'surrounding space', text: ' cp-1 ', want: { host: 'cp-1', port: 4242 } },
    { desc: 'empty', text: '', want: undefined },
    { desc: 'port out of range', text: 'cp-1:70000', want: undefined },
    { desc: 'not a host', text: 'cp/1', want: undefined },
  ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(parsePeerAddress(c.text, 4242), c.want));
});

describe('formation crypto', () => {
  const fp = 'a'.repeat(52);
  test('the same bootstrap token gives the same control token, pinned to the CA', () => {
    const token = formationToken(formationKey('s3cret'), fp);
    assert.equal(token, formationToken(formationKey('s3cret'), fp));
    const parsed = parseJoinToken(token);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.role, 'control');
    assert.equal(parsed.value.caFingerprint, fp);
  });
  const cases = [
    { desc: 'another bootstrap token', a: ['s3cret', fp], b: ['other', fp] },
    { desc: 'another CA', a: ['s3cret', fp], b: ['s3cret', 'b'.repeat(52)] },
    { desc: 'no bootstrap token against one', a: [undefined, fp], b: ['s3cret', fp] },
  ] as const;
  for (const c of cases) {
    test(`${c.desc}: other token and proof`, () => {
      assert.notEqual(
        formationToken(formationKey(c.a[0]), c.a[1]),
        formationToken(formationKey(c.b[0]), c.b[1]),
      );
      assert.notEqual(
        formationProof(formationKey(c.a[0]), c.a[1]),
        formationProof(formationKey(c.b[0]), c.b[1]),
      );
    });
  }
});

describe('joinInfoFor', () => {
  const secrets = {
    dataKeys: [randomBytes(32).toString('base64')],
    gossipKeys: [randomBytes(32).toString('base64')],
  };
  const source = {
    clusterId: 'prod',
    secrets,
    gossipSeeds: ['10.0.0.1:7946'],
    etcdEndpoints: ['https://10.0.0.1:2379'],
    formationProof: 'proof',
  };
  test('a data node gets the gossip keys and seeds, never the data key or etcd', () => {
    const info = joinInfoFor({ clusterId: 'prod', role: 'data', nodeId: 'edge-1' }, source);
    assert.deepEqual(info, {
      clusterId: 'prod',
      gossip: { keys: secrets.gossipKeys, seeds: ['10.0.0.1:7946'] },
    });
    assert.ok(DataJoinInfo.safeParse(info).success);
    assert.equal(ControlJoinInfo.safeParse(info).success, false);
  });
  test('a control node also gets the data key, the etcd endpoints and the proof', () => {
    const info = joinInfoFor({ clusterId: 'prod', role: 'control', nodeId: 'cp-2' }, source);
    const parsed = ControlJoinInfo.parse(info);
    assert.deepEqual(parsed.dataKeys, secrets.dataKeys);
    assert.deepEqual(parsed.etcdEndpoints, ['https://10.0.0.1:2379']);
    assert.equal(parsed.formationProof, 'proof');
  });
});

describe('state directory', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sy-node-state-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('no cluster.json: no state', async () => {
    assert.equal(await readNodeState(join(dir, 'none')), undefined);
  });
  test('state and secrets read back; secrets are 0600', async () => {
    const state = {
      clusterId: 'prod',
      nodeId: 'cp-1',
      role: 'control',
      etcdClientUrls: ['https://10.0.0.1:2379'],
    } satisfies NodeState;
    const secrets = {
      dataKeys: [randomBytes(32).toString('base64')],
      gossipKeys: [randomBytes(32).toString('base64')],
    };
    const d = join(dir, 'ok');
    await writeNodeState(d, state);
    await writeNodeSecrets(d, secrets);
    assert.deepEqual(await readNodeState(d), state);
    assert.deepEqual(await readNodeSecrets(d), secrets);
    assert.equal((await stat(join(d, STATE_FILES.secrets))).mode & 0o777, 0o600);
  });
  const bad = [
    { desc: 'not JSON', text: '{', path: /cluster\.json$/ },
    {
      desc: 'a node id that is not a DNS name',
      text: JSON.stringify({
        clusterId: 'prod',
        nodeId: 'CP_1',
        role: 'control',
        etcdClientUrls: ['https://a:1'],
      }),
      path: /cluster\.json:nodeId$/,
    },
    {
      desc: 'an unknown field',
      text: JSON.stringify({
        clusterId: 'prod',
        nodeId: 'cp-1',
        role: 'control',
        etcdClientUrls: ['https://a:1'],
        extra: 1,
      }),
      path: /cluster\.json:$/,
    },
  ];
  for (const c of bad) {
    test(`refuses cluster.json with ${c.desc}, naming the file and field`, async () => {
      const d = join(dir, `bad-${randomBytes(4).toString('hex')}`);
      await writeNodeState(d, {
        clusterId: 'x',
        nodeId: 'x',
        role: 'control',
        etcdClientUrls: ['https://a:1'],
      });
      await writeFile(join(d, STATE_FILES.identity), c.text);
      await assert.rejects(
        readNodeState(d),
        (err) => isNodeError(err, 'NODE_STATE_INVALID') && c.path.test(err.path),
      );
    });
  }
});
