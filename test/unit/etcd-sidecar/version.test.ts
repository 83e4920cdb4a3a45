import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  checkEtcdVersion,
  isEtcdError,
  parseEtcdVersion,
  parseVersionNumber,
  probeEtcdBinary,
} from '../../../src/cluster/etcd/index.js';

describe('etcd version', () => {
  const cases = [
    {
      desc: "Debian's etcd-server 3.4",
      output: 'etcd Version: 3.4.23\nGit SHA: Not provided\nGo Version: go1.19.8\nGo OS/Arch: linux/amd64\n',
      want: { major: 3, minor: 4, patch: 23 },
    },
    {
      desc: 'etcd 3.5',
      output: 'etcd Version: 3.5.17\nGit SHA: 507c0de\n',
      want: { major: 3, minor: 5, patch: 17 },
    },
    {
      desc: 'a pre-release suffix',
      output: 'etcd Version: 3.6.0-rc.1\n',
      want: { major: 3, minor: 6, patch: 0 },
    },
    { desc: 'something that is not etcd', output: 'Usage: foo [options]\n', want: undefined },
  ];
  for (const c of cases) test(`parse: ${c.desc}`, () => assert.deepEqual(parseEtcdVersion(c.output), c.want));

  test('a status version parses too', () =>
    assert.deepEqual(parseVersionNumber('3.4.23'), { major: 3, minor: 4, patch: 23 }));

  const checks = [
    { desc: '3.4 is the oldest accepted: learners arrived in it', v: '3.4.0', ok: true },
    { desc: 'a later 3.x is accepted', v: '3.6.1', ok: true },
    { desc: '3.3 has no learners', v: '3.3.27', ok: false },
    { desc: 'a major version we do not know is refused', v: '4.0.0', ok: false },
  ];
  for (const c of checks) {
    test(`check: ${c.desc}`, () => {
      const r = checkEtcdVersion(parseVersionNumber(c.v), '/usr/bin/etcd', c.v);
      if (c.ok) return assert.ok(!(r instanceof Error));
      assert.ok(isEtcdError(r, 'ETCD_VERSION_UNSUPPORTED'));
      assert.equal(r.path, '/usr/bin/etcd');
      assert.match(r.message, new RegExp(c.v.replaceAll('.', '\\.')));
    });
  }
});

// Stand-ins for etcd binaries: tiny shell scripts that print what some etcd would.
describe('probing the etcd binary (fake binaries: shell scripts printing a version)', () => {
  let dir: string;
  const script = async (name: string, body: string, mode = 0o755): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, mode);
    return path;
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sy-etcd-bin-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a 3.4 binary passes and reports its version', async () => {
    const bin = await script('etcd-34', 'echo "etcd Version: 3.4.30"; echo "Git SHA: x"');
    assert.deepEqual(await probeEtcdBinary(bin), { major: 3, minor: 4, patch: 30 });
  });

  test('a 3.3 binary is ETCD_VERSION_UNSUPPORTED, naming the binary and the version', async () => {
    const bin = await script('etcd-33', 'echo "etcd Version: 3.3.25"');
    await assert.rejects(probeEtcdBinary(bin), (err) => {
      assert.ok(isEtcdError(err, 'ETCD_VERSION_UNSUPPORTED'));
      assert.equal(err.path, bin);
      assert.match(err.message, /3\.3\.25.*need 3\.4/);
      return true;
    });
  });

  test('a binary that prints no version is ETCD_VERSION_UNSUPPORTED', async () => {
    const bin = await script('not-etcd', 'echo "hello"');
    await assert.rejects(probeEtcdBinary(bin), (err) => isEtcdError(err, 'ETCD_VERSION_UNSUPPORTED'));
  });

  test('a binary whose --version fails is ETCD_VERSION_UNSUPPORTED', async () => {
    const bin = await script('broken', 'echo boom >&2; exit 3');
    await assert.rejects(probeEtcdBinary(bin), (err) => isEtcdError(err, 'ETCD_VERSION_UNSUPPORTED'));
  });

  test('a missing binary is ETCD_BINARY_MISSING, saying how to fix it', async () => {
    const bin = join(dir, 'no-such-etcd');
    await assert.rejects(probeEtcdBinary(bin), (err) => {
      assert.ok(isEtcdError(err, 'ETCD_BINARY_MISSING'));
      assert.equal(err.path, bin);
      assert.match(err.message, /--etcd\.binary/);
      return true;
    });
  });

  test('a name not on PATH is ETCD_BINARY_MISSING', async () => {
    await assert.rejects(probeEtcdBinary('switchyard-no-such-etcd'), (err) =>
      isEtcdError(err, 'ETCD_BINARY_MISSING'),
    );
  });

  test('a file that is not executable is ETCD_BINARY_MISSING', async () => {
    const bin = await script('not-exec', 'echo "etcd Version: 3.4.30"', 0o644);
    await assert.rejects(probeEtcdBinary(bin), (err) => isEtcdError(err, 'ETCD_BINARY_MISSING'));
  });
});
