import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminCredentials, readCredentials, writeCredentials } from '../../../src/cluster/pki/index.js';
import { makeCa, must } from './fixtures.js';

const admin = must(await createAdminCredentials(await makeCa('prod')));

const withDir = async (run: (dir: string) => Promise<void>): Promise<void> => {
  const root = await mkdtemp(join(tmpdir(), 'switchyard-pki-'));
  try {
    await run(join(root, '.switchyard'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
};

describe('credential files', () => {
  test('writes ca.pem, cert.pem and key.pem 0600 in a 0700 directory, nothing else', () =>
    withDir(async (dir) => {
      await writeCredentials(dir, admin);
      assert.deepEqual((await readdir(dir)).sort(), ['ca.pem', 'cert.pem', 'key.pem']);
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
      for (const name of ['ca.pem', 'cert.pem', 'key.pem']) {
        assert.equal((await stat(join(dir, name))).mode & 0o777, 0o600, name);
      }
      assert.equal(await readFile(join(dir, 'key.pem'), 'utf8'), admin.keyPem);
      assert.deepEqual(must(await readCredentials(dir)), admin);
    }));

  test('overwrites earlier credentials in place', () =>
    withDir(async (dir) => {
      await writeCredentials(dir, { ...admin, certPem: 'old' });
      await writeCredentials(dir, admin);
      assert.equal(await readFile(join(dir, 'cert.pem'), 'utf8'), admin.certPem);
      assert.deepEqual((await readdir(dir)).sort(), ['ca.pem', 'cert.pem', 'key.pem']);
    }));

  test('refuses a key file that others can read', () =>
    withDir(async (dir) => {
      await writeCredentials(dir, admin);
      await chmod(join(dir, 'key.pem'), 0o644);
      const result = await readCredentials(dir);
      assert.equal(result.ok, false);
      if (!result.ok)
        assert.deepEqual([result.error.code, result.error.path], ['PKI_FILE_PERMS', join(dir, 'key.pem')]);
    }));

  test('reports a missing file by path', () =>
    withDir(async (dir) => {
      const result = await readCredentials(dir);
      assert.equal(result.ok, false);
      if (!result.ok)
        assert.deepEqual([result.error.code, result.error.path], ['PKI_CERT_INVALID', join(dir, 'ca.pem')]);
    }));
});
