// A real Docker engine for tests: Debian's docker.io, started by scripts/ensure-docker.sh
// when it does not answer, and a tiny image built here from the host's static busybox,
// since there is no registry to pull from. Everything a test creates carries the labels
// of testLabels(suite), and removeTestObjects(suite) removes it again.
import Dockerode from 'dockerode';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, open, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TEST_IMAGE = 'switchyard-test/busybox:latest';
export const SOCKET = '/var/run/docker.sock';
const REPO_ROOT = join(import.meta.dirname, '../../..');
const BUSYBOX = '/bin/busybox';
const APPLETS = [
  'sh',
  'httpd',
  'sleep',
  'echo',
  'cat',
  'touch',
  'rm',
  'test',
  'true',
  'false',
  'kill',
  'hostname',
];

/** Marks what a suite creates, so that it can be found and removed whatever happened. */
export const testLabels = (suite: string): Record<string, string> => ({
  'switchyard.test': '1',
  'switchyard.test.suite': suite,
});

/**
 * A client for the engine, started first if it does not answer; a reason to skip when it
 * cannot be had at all (no root to install or start dockerd, say).
 */
export async function openEngine(): Promise<{ docker: Dockerode } | { skip: string }> {
  const docker = new Dockerode({ socketPath: SOCKET });
  if (await answers(docker)) return { docker };
  try {
    await run('bash', [join(REPO_ROOT, 'scripts/ensure-docker.sh')], { timeout: 240_000 });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    return {
      skip: `no Docker engine, and scripts/ensure-docker.sh could not start one: ${stderr?.trim() || String(error)}`,
    };
  }
  return (await answers(docker)) ? { docker } : { skip: `dockerd started but ${SOCKET} does not answer` };
}

async function answers(docker: Dockerode): Promise<boolean> {
  try {
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5_000).unref());
    await Promise.race([docker.ping(), timeout]);
    return true;
  } catch {
    return false;
  }
}

/**
 * TEST_IMAGE: a root with /bin/busybox, its applets as symlinks and an empty /www, imported
 * once and then found by its tag.
 */
export async function ensureTestImage(docker: Dockerode): Promise<void> {
  try {
    await docker.getImage(TEST_IMAGE).inspect();
    return;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  const busybox = await realpath(BUSYBOX);
  if (!(await isStatic(busybox))) {
    throw new Error(
      `${busybox} is linked dynamically: install busybox-static (scripts/ensure-docker.sh does)`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-image-'));
  try {
    const root = join(dir, 'root');
    for (const sub of ['bin', 'www', 'tmp']) await mkdir(join(root, sub), { recursive: true });
    await copyFile(busybox, join(root, 'bin/busybox'));
    for (const applet of APPLETS) await symlink('busybox', join(root, 'bin', applet));
    const tar = join(dir, 'image.tar');
    await run('tar', ['-C', root, '-cf', tar, '.']);
    const [repo, tag] = TEST_IMAGE.split(':') as [string, string];
    const progress = await docker.importImage(tar, { repo, tag });
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(progress, (error: Error | null) => (error ? reject(error) : resolve())),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Whether an ELF executable has no program interpreter (PT_INTERP), i.e. needs no shared libraries. */
async function isStatic(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const header = Buffer.alloc(64);
    await file.read(header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) return false; // 64-bit ELF only
    const phoff = Number(header.readBigUInt64LE(0x20));
    const phentsize = header.readUInt16LE(0x36);
    const phnum = header.readUInt16LE(0x38);
    const table = Buffer.alloc(phentsize * phnum);
    await file.read(table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === 3) return false;
    return true;
  } finally {
    await file.close();
  }
}

/** Removes every service, container and network the suite created (services first: they own containers). */
export async function removeTestObjects(docker: Dockerode, suite: string): Promise<void> {
  const label = [`switchyard.test.suite=${suite}`];
  if (await isSwarmManager(docker)) {
    for (const service of await docker.listServices({ filters: { label } })) {
      await docker.getService(service.ID).remove().catch(ignoreMissing);
    }
  }
  for (const container of await docker.listContainers({ all: true, filters: { label } })) {
    await docker.getContainer(container.Id).remove({ force: true }).catch(ignoreMissing);
  }
  // A service's containers may still be going away: retry networks for a few seconds.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const networks = await docker.listNetworks({ filters: { label } });
    const failures: unknown[] = [];
    for (const network of networks) {
      await docker
        .getNetwork(network.Id)
        .remove()
        .catch((error: unknown) => (isMissing(error) ? undefined : failures.push(error)));
    }
    if (failures.length === 0) return;
    if (Date.now() > deadline)
      throw new AggregateError(failures, `cannot remove the networks of suite ${suite}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function isSwarmManager(docker: Dockerode): Promise<boolean> {
  const info = (await docker.info()) as { Swarm?: { ControlAvailable?: boolean } };
  return info.Swarm?.ControlAvailable === true;
}

const isMissing = (error: unknown): boolean => (error as { statusCode?: number }).statusCode === 404;

function ignoreMissing(error: unknown): void {
  if (!isMissing(error)) throw error;
}

export interface HttpdOptions {
  readonly name: string;
  readonly labels?: Record<string, string>;
  /** The network it starts on (default: Docker's default bridge). */
  readonly network?: string;
  /** A HEALTHCHECK: healthy while /www/healthy exists, checked every 200 ms. */
  readonly healthcheck?: boolean;
  /** Seconds it takes to exit after SIGTERM (a shell trap), instead of exiting at once. */
  readonly exitDelayS?: number;
}

/**
 * Starts a container answering HTTP on port 80 with its name (GET /), from TEST_IMAGE.
 * Port 80 is declared exposed, so the provider finds it as it finds an image's EXPOSE.
 */
export async function startHttpd(
  docker: Dockerode,
  suite: string,
  options: HttpdOptions,
): Promise<Dockerode.Container> {
  const serve = `echo ${options.name} > /www/index.html`;
  const script =
    options.exitDelayS === undefined
      ? `${serve}; exec httpd -f -p 80 -h /www`
      : // sh runs its trap once the current `sleep 1` ends, then takes exitDelayS more to exit.
        `trap 'sleep ${options.exitDelayS}; exit 0' TERM; ${serve}; httpd -p 80 -h /www; while true; do sleep 1; done`;
  const container = await docker.createContainer({
    name: options.name,
    Image: TEST_IMAGE,
    Cmd: ['/bin/sh', '-c', script],
    Labels: { ...testLabels(suite), ...options.labels },
    ExposedPorts: { '80/tcp': {} },
    StopTimeout: 20,
    ...(options.healthcheck && {
      Healthcheck: {
        Test: ['CMD', 'test', '-f', '/www/healthy'],
        Interval: 200e6,
        Timeout: 1e9,
        Retries: 1,
        StartPeriod: 0,
      },
    }),
    HostConfig: { NetworkMode: options.network ?? 'bridge' },
  });
  await container.start();
  return container;
}

/** Runs a busybox applet in a running container and waits for it to finish. */
export async function exec(container: Dockerode.Container, cmd: string[]): Promise<void> {
  const execution = await container.exec({
    Cmd: ['/bin/busybox', ...cmd],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await execution.start({ hijack: true, stdin: false });
  stream.resume();
  await new Promise((resolve) => stream.on('end', resolve));
  const { ExitCode } = await execution.inspect();
  if (ExitCode !== 0) throw new Error(`${cmd.join(' ')} exited with ${ExitCode}`);
}

/** The container's IPv4 address on a network. */
export async function addressOn(container: Dockerode.Container, network: string): Promise<string> {
  const inspect = await container.inspect();
  const address = inspect.NetworkSettings.Networks[network]?.IPAddress;
  if (!address) throw new Error(`${inspect.Name} has no address on ${network}`);
  return address;
}
