// A real control plane and real data nodes on 127.0.0.1, every one a process of the CLI
// (through tsx): control nodes through the control-node harness (etcd members included),
// data nodes through `switchyard start-data-node`, and the admin commands (apply,
// list-nodes) run as an operator would run them.
import { once } from 'node:events';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ClusterView } from '../../../src/api/admin/index.js';
import { freePort, isMsg, TestCluster, type NodeProcess } from '../control-node/cluster-process.js';
import { spawnSwitchyard, type SwitchyardProcess } from '../standalone/process.js';

export const HOST = '127.0.0.1';

export interface Reply {
  readonly status: number;
  readonly body: string;
}

/** One request with its own connection, so that a dead node fails it at once. */
export function get(port: number, host: string, path = '/', agent?: http.Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port, path, headers: { host }, agent: agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/** An origin answering `<name> <path>`. */
export async function startOrigin(name: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => res.end(`${name} ${req.url}`));
  server.keepAliveTimeout = 60_000;
  server.listen(0, HOST);
  await once(server, 'listening');
  return {
    url: `http://${HOST}:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface ControlPorts {
  readonly distribution: number;
  readonly admin: number;
}

export interface DataNode {
  readonly name: string;
  readonly web: number;
  /** The websecure entrypoint's port, for a node started with one. */
  readonly websecure?: number;
  readonly gossip: number;
  process: SwitchyardProcess;
}

export class DistributionCluster {
  readonly cluster: TestCluster;
  readonly adminDir: string;
  readonly dynamicDir: string;
  readonly control = new Map<string, NodeProcess>();
  readonly data = new Map<string, DataNode>();
  readonly #controlPorts = new Map<string, ControlPorts>();
  /** Given to startControlPlane, kept for restarts: the same static configuration. */
  #extraControlArgs: readonly string[] = [];
  tokens: { control: string; data: string } = { control: '', data: '' };

  private constructor(cluster: TestCluster) {
    this.cluster = cluster;
    this.adminDir = join(cluster.root, 'admin');
    this.dynamicDir = join(cluster.root, 'dynamic');
  }

  static async create(prefix: string): Promise<DistributionCluster> {
    const self = new DistributionCluster(await TestCluster.create(prefix));
    await mkdir(self.dynamicDir);
    return self;
  }

  async writeDynamic(name: string, text: string): Promise<void> {
    // Written beside and renamed, so the file provider never reads half a file.
    const file = join(this.dynamicDir, name);
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
  }

  async controlPorts(name: string): Promise<ControlPorts> {
    let ports = this.#controlPorts.get(name);
    if (ports === undefined) {
      ports = { distribution: await freePort(), admin: await freePort() };
      this.#controlPorts.set(name, ports);
    }
    return ports;
  }

  /** What every control node runs with besides the harness's node flags. */
  async #controlArgs(name: string): Promise<string[]> {
    const ports = await this.controlPorts(name);
    return [
      `--distributionport=${ports.distribution}`,
      `--adminport=${ports.admin}`,
      `--providers.file.directory=${this.dynamicDir}`,
      '--providers.providersThrottleDuration=0s',
      // Names only, for the controller's checks: control nodes serve no traffic.
      `--entryPoints.web.address=${HOST}:1`,
      `--entryPoints.alt.address=${HOST}:2`,
      ...this.#extraControlArgs,
    ];
  }

  /**
   * cp-1 bootstraps (and stays), the others join with the control token. `extra` is more
   * static configuration for every control node (certificate resolvers, entrypoints).
   */
  async startControlPlane(names: readonly string[], extra: readonly string[] = []): Promise<void> {
    this.#extraControlArgs = extra;
    const [first, ...others] = names;
    const boot = await this.cluster.start('bootstrap', first!, [
      ...(await this.#controlArgs(first!)),
      `--mtlscertsoutputdir=${this.adminDir}`,
    ]);
    this.control.set(first!, boot);
    await boot.waitFor(isMsg('bootstrap node ready'), 60_000, 'bootstrap ready');
    const json = await this.cluster.run([
      'tokens',
      `--statedir=${this.cluster.stateDir(first!)}`,
      '--output=json',
    ]);
    if (json.code !== 0) throw new Error(`tokens: ${json.stderr}`);
    this.tokens = JSON.parse(json.stdout) as { control: string; data: string };
    for (const name of others) {
      const node = await this.cluster.start('start-control-node', name, [
        ...(await this.#controlArgs(name)),
        `--peeraddresses=${await this.cluster.joinAddress(first!)}`,
        `--token=${this.tokens.control}`,
      ]);
      this.control.set(name, node);
      await node.waitFor(isMsg('control node ready'), 90_000, `${name} joined`);
    }
    await Promise.all(
      names.map((n) =>
        this.control.get(n)!.waitFor(isMsg('distribution server listening'), 30_000, 'distribution'),
      ),
    );
  }

  /** Starts a control node again from its state directory (no token needed). */
  async restartControl(name: string): Promise<NodeProcess> {
    const node = await this.cluster.start('start-control-node', name, await this.#controlArgs(name));
    this.control.set(name, node);
    await node.waitFor(isMsg('distribution server listening'), 60_000, `${name} restarted`);
    return node;
  }

  /** kill -9 of a control node's process and of the etcd member it started. */
  async killControl(name: string): Promise<void> {
    const node = this.control.get(name)!;
    node.child.kill('SIGKILL');
    await node.exit;
    const pidFile = `${join(this.cluster.stateDir(name), 'etcd')}.pid`;
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split(' ')[0]);
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  async joinAddresses(): Promise<string> {
    return (await Promise.all([...this.control.keys()].map((n) => this.cluster.joinAddress(n)))).join(',');
  }

  /**
   * `switchyard start-data-node` for `name`; `join` adds the join flags (a first start).
   * With `websecure` the node also listens for TLS (a restart keeps the port it had).
   */
  async startData(
    name: string,
    join: readonly string[] = [],
    options: { readonly websecure?: boolean } = {},
  ): Promise<DataNode> {
    const known = this.data.get(name);
    const web = known?.web ?? (await freePort());
    const gossip = known?.gossip ?? (await freePort());
    const websecure = known?.websecure ?? (options.websecure === true ? await freePort() : undefined);
    const process = spawnSwitchyard('start-data-node', [
      `--statedir=${this.cluster.stateDir(name)}`,
      `--nodeid=${name}`,
      `--listen=${HOST}`,
      `--advertise=${HOST}`,
      `--gossipport=${gossip}`,
      '--timeout=60',
      `--entryPoints.web.address=${HOST}:${web}`,
      ...(websecure === undefined ? [] : [`--entryPoints.websecure.address=${HOST}:${websecure}`]),
      '--log.level=INFO',
      '--log.format=json',
      ...join,
    ]);
    const node = { name, web, gossip, process, ...(websecure === undefined ? {} : { websecure }) };
    this.data.set(name, node);
    return node;
  }

  /** kill -9 of a data node; resolves once it is gone. */
  async killData(name: string): Promise<void> {
    const { child } = this.data.get(name)!.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = once(child, 'exit');
    child.kill('SIGKILL');
    await gone;
  }

  /** The admin commands against a control node that is up. */
  async admin(
    args: readonly string[],
    via?: string,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const name = via ?? [...this.control.keys()].find((n) => this.isUp(n))!;
    const { admin } = await this.controlPorts(name);
    return this.cluster.run([...args, `--mtlscertsdir=${this.adminDir}`, `--apiaddress=${HOST}:${admin}`]);
  }

  async listNodes(): Promise<ClusterView> {
    const run = await this.admin(['list-nodes', '--output=json']);
    if (run.code !== 0) throw new Error(`list-nodes: ${run.stderr}`);
    return JSON.parse(run.stdout) as ClusterView;
  }

  isUp(name: string): boolean {
    const child = this.control.get(name)?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  async cleanup(): Promise<void> {
    for (const node of this.data.values()) {
      const { child } = node.process;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await this.cluster.cleanup();
  }
}
