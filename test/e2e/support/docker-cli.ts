// The Docker and Compose command lines, as a user runs them, for the end-to-end tests: a
// Compose project on the repository's compose/ files, the images scripts/build-images.sh
// builds, and containers found by their Compose labels. Compose is `docker compose` (v2)
// when the CLI has the plugin, else `docker-compose` (Debian's docker-compose package,
// installed here when neither exists).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = join(import.meta.dirname, '../../..');
export const IMAGES = [
  'switchyard/control',
  'switchyard/data',
  'switchyard/whoami',
  'switchyard/pebble',
] as const;

export interface Output {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command; rejects with its stderr in the message when it exits non-zero. */
export async function sh(
  file: string,
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
): Promise<Output> {
  try {
    const child = run(file, [...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (options.input !== undefined) child.child.stdin?.end(options.input);
    const { stdout, stderr } = await child;
    return { stdout, stderr };
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${String(stderr || stdout || error).trim()}`, {
      cause: error,
    });
  }
}

export const docker = (args: readonly string[], timeoutMs?: number): Promise<Output> =>
  sh('docker', args, timeoutMs === undefined ? {} : { timeoutMs });

let composeCommand: Promise<readonly string[]> | undefined;

/** `docker compose` or `docker-compose`, installing Debian's package when neither answers. */
export function compose(): Promise<readonly string[]> {
  composeCommand ??= (async () => {
    if (
      await sh('docker', ['compose', 'version']).then(
        () => true,
        () => false,
      )
    )
      return ['docker', 'compose'];
    await sh('bash', ['scripts/ensure-debian-packages.sh', 'docker-compose:docker-compose'], {
      timeoutMs: 300_000,
    });
    return ['docker-compose'];
  })();
  return composeCommand;
}

/** Why the suite cannot run (an image is missing), or undefined. */
export async function missingImages(tag = 'latest'): Promise<string | undefined> {
  for (const image of IMAGES) {
    const found = await docker(['image', 'inspect', `${image}:${tag}`]).then(
      () => true,
      () => false,
    );
    if (!found)
      return `image ${image}:${tag} is missing: run bash scripts/build-images.sh (npm run test:e2e does)`;
  }
  return undefined;
}

/** A Compose project on files of the repository, with its own name and environment. */
export class ComposeProject {
  constructor(
    readonly name: string,
    readonly files: readonly string[],
    readonly env: Record<string, string>,
  ) {}

  async run(args: readonly string[], timeoutMs = 180_000): Promise<Output> {
    const [file, ...prefix] = await compose();
    const fileArgs = this.files.flatMap((f) => ['-f', f]);
    return sh(file!, [...prefix, '-p', this.name, ...fileArgs, ...args], { env: this.env, timeoutMs });
  }

  up(services: readonly string[] = []): Promise<Output> {
    return this.run(['up', '-d', ...services]);
  }

  /**
   * Removes containers, volumes and networks. Compose v1 leaves a network that has a `name:`
   * behind, so what still carries the project's label is removed too.
   */
  async down(): Promise<void> {
    await this.run(['down', '-v', '--remove-orphans', '-t', '5']).catch(() => undefined);
    const label = `label=com.docker.compose.project=${this.name}`;
    for (const kind of ['container', 'volume', 'network'] as const) {
      const { stdout } = await docker([kind, 'ls', kind === 'container' ? '-aq' : '-q', '--filter', label]);
      const ids = stdout.split('\n').filter((id) => id !== '');
      // -v: the images declare their state directory a volume, anonymous unless named.
      if (ids.length > 0) await docker([kind, 'rm', ...(kind === 'container' ? ['-f', '-v'] : []), ...ids]);
    }
  }

  /** The id of the running container of a service (the first, when scaled). */
  async container(service: string): Promise<string> {
    const { stdout } = await docker([
      'ps',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${this.name}`,
      '--filter',
      `label=com.docker.compose.service=${service}`,
    ]);
    const id = stdout.split('\n')[0]?.trim();
    if (!id) throw new Error(`no running container for ${this.name}/${service}`);
    return id;
  }

  async exec(service: string, args: readonly string[]): Promise<Output> {
    return docker(['exec', await this.container(service), ...args]);
  }

  /** stdout and stderr of a service's container, interleaved as Docker stored them. */
  async logs(service: string): Promise<string> {
    const { stdout, stderr } = await docker(['logs', await this.container(service)]);
    return `${stdout}${stderr}`;
  }

  /** The name of the network the project's services share (its `default` network). */
  async network(): Promise<string> {
    const { stdout } = await docker([
      'network',
      'ls',
      '--format',
      '{{.Name}}',
      '--filter',
      `label=com.docker.compose.project=${this.name}`,
    ]);
    const name = stdout.split('\n')[0]?.trim();
    if (!name) throw new Error(`project ${this.name} has no network`);
    return name;
  }
}
