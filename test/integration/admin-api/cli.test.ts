import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClusterView } from '../../../src/api/admin/index.js';
import { decodeArchive } from '../../../src/cluster/backup/index.js';
import { writeCredentials } from '../../../src/cluster/pki/index.js';
import { freePort } from '../standalone/process.js';
import { startCluster, type Cluster } from './harness.js';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `switchyard <args>` as a real process, through tsx as an operator would run it after a build. */
function switchyard(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe(
  'switchyard list-nodes, remove-node and backup against a running admin API',
  { timeout: 90_000, concurrency: 4 },
  () => {
    let cluster: Cluster;
    let dir: string;
    let certs: string;
    const connect = (): string[] => [
      '--mtlscertsdir',
      certs,
      '--apiaddress',
      `127.0.0.1:${cluster.control[1].port}`,
    ];

    before(async () => {
      cluster = await startCluster(['edge-1']);
      dir = await mkdtemp(join(tmpdir(), 'sy-admin-cli-'));
      certs = join(dir, '.switchyard');
      await writeCredentials(certs, cluster.admin);
    });
    after(async () => {
      await cluster?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    test('list-nodes --output json prints the nodes view', async () => {
      const run = await switchyard(['list-nodes', '--output', 'json', ...connect()]);
      assert.equal(run.code, 0, run.stderr);
      const view = JSON.parse(run.stdout) as ClusterView;
      assert.deepEqual(
        view.nodes.map((n) => [n.id, n.role, n.status, n.controller]),
        [
          ['cp-1', 'control', 'READY', true],
          ['cp-2', 'control', 'READY', false],
          ['edge-1', 'data', 'READY', false],
        ],
      );
    });

    test('list-nodes prints a table, --details a wider one', async () => {
      const run = await switchyard(['list-nodes', ...connect()]);
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^Name\s+Role\s+Status\s+Config$/);
      assert.match(lines[2]!, /^cp-1\s+CONTROL NODE \(Controller\)\s+READY\s+0$/);
      assert.match(lines[4]!, /^edge-1\s+DATA NODE\s+READY\s+0$/);
      const details = await switchyard(['list-nodes', '--details', ...connect()]);
      assert.match(details.stdout.split('\n')[0]!, /Membership\s+Status\s+Availability/);
    });

    test('backup --archivepath writes a verified archive only its owner can read', async () => {
      const path = join(dir, 'cluster.backup.gz');
      const run = await switchyard(['backup', '--archivepath', path, ...connect()]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        /^backup of cluster prod at revision \d+: \d+ keys, sha256 [0-9a-f]{64}, written to /,
      );
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      const archive = decodeArchive(await readFile(path));
      assert.ok(archive.ok);
      assert.equal(archive.value.manifest.clusterId, 'prod');
    });

    const failures = [
      {
        desc: 'remove-node of an unknown node: the API error, exit 1',
        args: () => ['remove-node', 'nope', ...connect()],
        code: 1,
        stderr: /ADMIN_NOT_FOUND: nope: no such node/,
      },
      {
        desc: 'remove-node of a node that is up: refused, exit 1',
        args: () => ['remove-node', 'edge-1', ...connect()],
        code: 1,
        stderr: /ADMIN_CONFLICT: edge-1: is up/,
      },
      {
        desc: 'no credentials where --mtlscertsdir points: exit 2',
        args: () => [
          'list-nodes',
          '--mtlscertsdir',
          join(dir, 'missing'),
          '--apiaddress',
          `127.0.0.1:${cluster.control[1].port}`,
        ],
        code: 2,
        stderr: /admin credentials: .*missing/,
      },
      {
        desc: 'an http address: exit 2',
        args: () => ['list-nodes', '--mtlscertsdir', certs, '--apiaddress', 'http://127.0.0.1:1'],
        code: 2,
        stderr: /https only/,
      },
    ];
    for (const c of failures) {
      test(c.desc, async () => {
        const run = await switchyard(c.args());
        assert.equal(run.code, c.code, run.stderr);
        assert.match(run.stderr, c.stderr);
      });
    }

    test('nothing listening at --apiaddress: exit 1, naming the address', async () => {
      const port = await freePort();
      const run = await switchyard([
        'list-nodes',
        '--mtlscertsdir',
        certs,
        '--apiaddress',
        `127.0.0.1:${port}`,
      ]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`cannot reach the admin API at 127\\.0\\.0\\.1:${port}`));
    });
  },
);
