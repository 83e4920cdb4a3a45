import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { EtcdError } from './errors.js';

// One run of the etcd binary: started, watched until it exits, stopped gracefully. The
// supervisor decides what an exit means; this only reports it.

export interface EtcdExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  readonly error?: Error;
}

const STDERR_TAIL_BYTES = 8192;

export class EtcdProcess {
  readonly #child: ChildProcess;
  readonly #pidFile: string;
  #stderr = '';
  /** Resolves once, when the process has exited (or failed to start). */
  readonly exited: Promise<EtcdExit>;

  private constructor(child: ChildProcess, pidFile: string) {
    this.#child = child;
    this.#pidFile = pidFile;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    this.exited = new Promise<EtcdExit>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    }).then(async (exit) => {
      await rm(this.#pidFile, { force: true });
      return exit;
    });
  }

  /** Starts etcd and records its pid in `pidFile`, so that a later supervisor finds an orphan. */
  static async start(
    binary: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
    pidFile: string,
  ): Promise<EtcdProcess> {
    const child = spawn(binary, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const proc = new EtcdProcess(child, pidFile);
    // Its pid and ours: a later supervisor kills it only if we are gone.
    if (child.pid !== undefined) await writeFile(pidFile, `${child.pid} ${process.pid}\n`, { mode: 0o600 });
    return proc;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null && this.#child.pid !== undefined;
  }

  /** The last lines etcd wrote, for error messages. */
  get stderrTail(): string {
    return this.#stderr;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.#child.kill(signal);
  }

  /**
   * SIGTERM, then SIGKILL after `graceMs`. On SIGTERM a leader hands leadership to a
   * follower before it exits, so the cluster does not wait out an election timeout.
   */
  async stop(graceMs: number): Promise<EtcdExit> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Makes sure no other etcd runs on this data directory. One left running by an earlier
 * life of this node (the node was killed and its child survived) holds the ports and
 * the data directory's lock, so it is killed. One whose supervising process is alive
 * belongs to a node that is running: that is refused. Only a process whose command line
 * names our data directory counts; on systems without /proc the check is skipped.
 */
export async function claimDataDir(pidFile: string, dataDir: string): Promise<void> {
  let pid: number;
  let owner: number;
  try {
    [pid, owner] = (await readFile(pidFile, 'utf8')).trim().split(' ').map(Number) as [number, number];
  } catch {
    return;
  }
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!Number.isInteger(pid) || pid <= 0 || !cmdline.split('\0').includes(`--data-dir=${dataDir}`)) {
    // Gone, or the pid now belongs to an unrelated process.
    await rm(pidFile, { force: true });
    return;
  }
  if (alive(owner)) {
    throw new EtcdError('ETCD_START_FAILED', dataDir, `in use by etcd (pid ${pid}) run by process ${owner}`);
  }
  process.kill(pid, 'SIGKILL');
  // Not our child, so no exit event: wait until it is gone (or a zombie of init's).
  for (let i = 0; i < 250; i++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined || /^\d+ \(.*\) Z/.test(stat)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await rm(pidFile, { force: true });
}

const alive = (pid: number): boolean => {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};
