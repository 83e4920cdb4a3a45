// `switchyard bootstrap --controlnodes=3`, three control nodes joining with the control
// token, and the hand-over: the bootstrap node leaves once they are voting members.
// Also: `tokens` and `env` print tokens that work, rotation, and a data token refused as
// a control token.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkCredentials, readCredentials } from '../../../src/cluster/pki/index.js';
import { isMsg, lastControlView, TestCluster, type NodeProcess } from './cluster-process.js';
import { eventually } from '../standalone/process.js';

const CONTROL = ['cp-1', 'cp-2', 'cp-3'];

describe('bootstrap and join', { timeout: 150_000 }, () => {
  let cluster: TestCluster;
  let boot: NodeProcess;
  let tokens: { control: string; data: string };
  const nodes: NodeProcess[] = [];

  before(async () => {
    cluster = await TestCluster.create('sy-bootstrap-');
  });
  after(() => cluster.cleanup());

  test('bootstrap creates the cluster, writes admin credentials, prints the tokens', async () => {
    boot = await cluster.start('bootstrap', 'boot', [
      '--controlnodes=3',
      '--timeout=120',
      `--mtlscertsoutputdir=${cluster.root}/admin`,
    ]);
    await boot.waitFor(isMsg('bootstrap node ready', { how: 'bootstrapped' }), 30_000, 'bootstrap ready');
    const admin = await readCredentials(join(cluster.root, 'admin'));
    assert.ok(admin.ok);
    const identity = checkCredentials(admin.value);
    assert.ok(identity.ok && identity.value.role === 'admin');
    const dataKey = await readFile(join(cluster.root, 'admin', 'data-key'), 'utf8');
    assert.equal(Buffer.from(dataKey.trim(), 'base64').length, 32);
    const json = await cluster.run(['tokens', `--statedir=${cluster.stateDir('boot')}`, '--output=json']);
    assert.equal(json.code, 0, json.stderr);
    tokens = JSON.parse(json.stdout) as typeof tokens;
    assert.match(tokens.control, /^SWYTKN-1-control-/);
    assert.match(tokens.data, /^SWYTKN-1-data-/);
    const env = await cluster.run(['env', `--statedir=${cluster.stateDir('boot')}`]);
    assert.equal(env.code, 0, env.stderr);
    assert.equal(
      env.stdout,
      `export CONTROL_NODE_TOKEN="${tokens.control}"\nexport DATA_NODE_TOKEN="${tokens.data}"\n`,
    );
  });

  test('a data token is refused as a control token', async () => {
    const wrong = await cluster.start('start-control-node', 'wrong', [
      `--peeraddresses=${await cluster.joinAddress('boot')}`,
      `--token=${tokens.data}`,
    ]);
    assert.equal(await wrong.exit, 1);
    assert.match(wrong.stderr.join(''), /TOKEN_WRONG_ROLE/);
  });

  test('three control nodes join together; the bootstrap node then hands over and leaves', async (t) => {
    const started = Date.now();
    const peers = `--peeraddresses=${await cluster.joinAddress('boot')}`;
    for (const name of CONTROL)
      nodes.push(await cluster.start('start-control-node', name, [peers, `--token=${tokens.control}`]));
    await Promise.all(
      nodes.map((n) => n.waitFor(isMsg('control node ready', { how: 'joined' }), 90_000, 'joined')),
    );
    const joinedMs = Date.now() - started;
    assert.equal(
      await boot.exit,
      0,
      `the bootstrap node exits cleanly after the hand-over; it said:\n${boot.tail()}`,
    );
    t.diagnostic(`3 joins done ${joinedMs} ms after they started; handed over at ${Date.now() - started} ms`);

    const members = await cluster.members('cp-1');
    assert.deepEqual(members.map((m) => m.name).sort(), CONTROL);
    assert.ok(
      members.every((m) => m.isLearner !== true),
      'every member votes',
    );
    await eventually(
      async () => nodes.every((n) => JSON.stringify(lastControlView(n)) === JSON.stringify(CONTROL)),
      15_000,
      'a gossip view of exactly the three control nodes on each',
    );
    assert.deepEqual(new Set(await Promise.all(CONTROL.map((n) => cluster.clusterId(n)))).size, 1);
  });

  test('tokens can be rotated: the new data token shows on every control node', async () => {
    const rotated = await cluster.run([
      'tokens',
      `--statedir=${cluster.stateDir('cp-2')}`,
      '--rotate=data',
      '--output=json',
    ]);
    assert.equal(rotated.code, 0, rotated.stderr);
    const after = JSON.parse(rotated.stdout) as typeof tokens;
    assert.notEqual(after.data, tokens.data);
    assert.equal(after.control, tokens.control);
    const env = await cluster.run(['env', `--statedir=${cluster.stateDir('cp-3')}`]);
    assert.match(env.stdout, new RegExp(`DATA_NODE_TOKEN="${after.data}"`));
  });
});
