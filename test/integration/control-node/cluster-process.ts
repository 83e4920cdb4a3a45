// Control nodes as real processes (`node --import tsx src/cli/main.ts ...`, as the
// standalone tests run theirs), each with its own state directory and loopback ports, and
// their JSON log lines parsed. cleanup() kills every process started here, and the etcd
// members they started (through the pid files beside the etcd data), then removes the
// directory.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Etcd3, type IMember } from 'etcd3';

export const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';

export type LogLine = Record<string, unknown> & { msg?: string; time?: number };

export interface NodeProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly stderr: string[];
  readonly exit: Promise<number | null>;
  /** The last log lines and stderr chunks, for a failure message. */
  tail(): string;
  /** The first log line (from the start) that `match` accepts, waiting at most `ms`. */
  waitFor(match: (line: LogLine) => boolean, ms: number, what: string): Promise<LogLine>;
}

interface Ports {
  readonly join: number;
  readonly gossip: number;
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly admin: number;
  readonly distribution: number;
}

export class TestCluster {
  readonly root: string;
  readonly #ports = new Map<string, Ports>();
  /** Nodes on another loopback address than 127.0.0.1 (all of 127.0.0.0/8 is loopback on Linux). */
  readonly #hosts = new Map<string, string>();
  readonly #children = new Set<ChildProcess>();

  private constructor(root: string) {
    this.root = root;
  }

  static async create(prefix: string): Promise<TestCluster> {
    return new TestCluster(await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), prefix)));
  }

  stateDir(name: string): string {
    return join(this.root, name);
  }

  /** The same name keeps its ports, so a restarted node is the same member. */
  async ports(name: string): Promise<Ports> {
    let ports = this.#ports.get(name);
    if (ports === undefined) {
      ports = {
        join: await freePort(),
        gossip: await freePort(),
        etcdClient: await freePort(),
        etcdPeer: await freePort(),
        admin: await freePort(),
        distribution: await freePort(),
      };
      this.#ports.set(name, ports);
    }
    return ports;
  }

  /** The loopback address node `name` advertises and listens on (default 127.0.0.1). */
  host(name: string): string {
    return this.#hosts.get(name) ?? '127.0.0.1';
  }

  /**
   * Moves node `name` to another loopback address for its next start, ports unchanged: a
   * container that came back with a new IP.
   */
  setHost(name: string, host: string): void {
    this.#hosts.set(name, host);
  }

  async joinAddress(name: string): Promise<string> {
    return `${this.host(name)}:${(await this.ports(name)).join}`;
  }

  /** The flags every node command takes, for node `name`. */
  async nodeArgs(name: string): Promise<string[]> {
    const p = await this.ports(name);
    return [
      `--statedir=${this.stateDir(name)}`,
      `--nodeid=${name}`,
      `--advertise=${this.host(name)}`,
      `--listen=${this.host(name)}`,
      `--joinport=${p.join}`,
      `--gossipport=${p.gossip}`,
      `--etcdclientport=${p.etcdClient}`,
      `--etcdpeerport=${p.etcdPeer}`,
      `--etcdbinary=${ETCD_BIN}`,
      `--adminport=${p.admin}`,
      `--distributionport=${p.distribution}`,
      '--log.level=INFO',
      '--log.format=json',
    ];
  }

  /** Starts `switchyard <command> <node flags> <extra>` for node `name`. */
  async start(command: string, name: string, extra: readonly string[] = []): Promise<NodeProcess> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', command, ...(await this.nodeArgs(name)), ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#children.add(child);
    const logs: LogLine[] = [];
    const stderr: string[] = [];
    const waiters = new Set<() => void>();
    let partial = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        try {
          logs.push(JSON.parse(line) as LogLine);
        } catch {
          logs.push({ msg: line });
        }
      }
      for (const wake of waiters) wake();
    });
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    const exit = once(child, 'exit').then(([code]) => code as number | null);
    return {
      name,
      child,
      logs,
      stderr,
      exit,
      tail: () => tail(logs, stderr),
      waitFor(match, ms, what) {
        return new Promise((resolve, reject) => {
          const check = (): void => {
            const line = logs.find(match);
            if (line === undefined) return;
            cleanup();
            resolve(line);
          };
          const timer = setTimeout(() => {
            cleanup();
            reject(new Error(`${name}: ${what} not logged within ${ms} ms; got:\n${tail(logs, stderr)}`));
          }, ms);
          const cleanup = (): void => {
            clearTimeout(timer);
            waiters.delete(check);
          };
          waiters.add(check);
          check();
        });
      },
    };
  }

  /** Runs a short command (tokens, env) to completion: its exit code and output. */
  run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
      );
    });
  }

  /** A client of node `name`'s etcd member, with that node's credentials. */
  async etcd(name: string): Promise<Etcd3> {
    const pki = join(this.stateDir(name), 'pki');
    const read = (file: string): Promise<Buffer> => readFile(join(pki, file));
    return new Etcd3({
      hosts: [`https://${this.host(name)}:${(await this.ports(name)).etcdClient}`],
      credentials: {
        rootCertificate: await read('ca.pem'),
        certChain: await read('cert.pem'),
        privateKey: await read('key.pem'),
      },
    });
  }

  async members(name: string): Promise<IMember[]> {
    const client = await this.etcd(name);
    try {
      return (await client.cluster.memberList({})).members;
    } finally {
      client.close();
    }
  }

  /** kill -9 of node `name`'s etcd member, found through its pid file; the node process is the caller's. */
  async killEtcd(name: string): Promise<void> {
    const pidFile = `${join(this.stateDir(name), 'etcd')}.pid`;
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split(' ')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  async clusterId(name: string): Promise<string> {
    return (
      JSON.parse(await readFile(join(this.stateDir(name), 'cluster.json'), 'utf8')) as { clusterId: string }
    ).clusterId;
  }

  async cleanup(): Promise<void> {
    for (const child of this.#children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const name of this.#ports.keys()) await this.killEtcd(name);
    await rm(this.root, { recursive: true, force: true });
  }
}

/** The latest gossip view a node logged: the control node ids it holds alive. */
export function lastControlView(node: NodeProcess): string[] | undefined {
  const line = node.logs.findLast((l) => l.msg === 'gossip membership changed');
  return line?.control as string[] | undefined;
}

export const isMsg =
  (msg: string, fields: Record<string, unknown> = {}) =>
  (line: LogLine): boolean =>
    line.msg === msg && Object.entries(fields).every(([k, v]) => line[k] === v);

/**
 * A port free for TCP and UDP on 127.0.0.1, below the kernel's ephemeral range (from
 * 32768): ports handed out from that range (listen on 0) can be taken again by any
 * outgoing connection before the node binds them, and these tests make many.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (handedOut.has(port) || !(await canBind(port, 'tcp')) || !(await canBind(port, 'udp'))) continue;
    handedOut.add(port);
    return port;
  }
}

/** Ports given to nodes of this process's clusters, free or not by now. */
const handedOut = new Set<number>();

function canBind(port: number, kind: 'tcp' | 'udp'): Promise<boolean> {
  return new Promise((resolve) => {
    if (kind === 'tcp') {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
      return;
    }
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

function tail(logs: readonly LogLine[], stderr: readonly string[]): string {
  return [...logs.slice(-15).map((l) => JSON.stringify(l)), ...stderr.slice(-5)].join('\n');
}
