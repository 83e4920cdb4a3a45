// A real single-member etcd for tests: Debian's etcd 3.4 on loopback ports, with a
// throwaway data directory (in /dev/shm when there is one, so fsync costs nothing).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EtcdProcess {
  /** The client URL, e.g. http://127.0.0.1:41234. */
  readonly endpoint: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  /** Kills the process (SIGKILL, like a crash) and keeps the data directory. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data. */
  restart(): Promise<void>;
  /** Kills it and removes the data directory. */
  stop(): Promise<void>;
}

/** PEMs for serving clients over TLS and requiring client certificates signed by `ca`. */
export interface EtcdTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** The client certificate the health check presents. */
  readonly clientCert: string;
  readonly clientKey: string;
}

export interface EtcdOptions {
  readonly name?: string;
  /** Serve clients on https, with client certificate authentication. */
  readonly tls?: EtcdTls;
  /** More flags for etcd. */
  readonly args?: readonly string[];
  /** How long to wait for /health (default 15 s). */
  readonly readyTimeoutMs?: number;
}

const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';

export async function startEtcd(options: EtcdOptions = {}): Promise<EtcdProcess> {
  const name = options.name ?? 'test';
  const dataDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sy-etcd-'));
  const tlsArgs = options.tls === undefined ? [] : await tlsFlags(dataDir, options.tls);
  const scheme = options.tls === undefined ? 'http' : 'https';
  const cleanup = async (): Promise<void> => {
    await rm(dataDir, { recursive: true, force: true });
    for (const pem of ['cert', 'key', 'ca']) await rm(`${dataDir}-${pem}.pem`, { force: true });
  };
  // A port found free may be taken before etcd binds it: try a few pairs.
  for (let attempt = 1; ; attempt++) {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const endpoint = `${scheme}://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const args = [
      `--name=${name}`,
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${name}=${peerUrl}`,
      '--initial-cluster-state=new',
      // Fast ticks: elections in milliseconds and a minimum lease TTL of 1 s.
      '--heartbeat-interval=10',
      '--election-timeout=100',
      '--logger=zap',
      '--log-level=error',
      ...tlsArgs,
      ...(options.args ?? []),
    ];
    let child: ChildProcess;
    try {
      child = await launch(args, endpoint, options.tls, options.readyTimeoutMs ?? 15_000);
    } catch (err) {
      if (attempt < 3) {
        // Start over: a member that got as far as writing its data would not rejoin on new ports.
        await rm(dataDir, { recursive: true, force: true });
        await mkdir(dataDir, { mode: 0o700 });
        continue;
      }
      await cleanup();
      throw err;
    }
    const kill = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    };
    return {
      endpoint,
      peerUrl,
      dataDir,
      kill,
      restart: async () => {
        await kill();
        child = await launch(args, endpoint, options.tls, options.readyTimeoutMs ?? 15_000);
      },
      stop: async () => {
        await kill();
        await cleanup();
      },
    };
  }
}

/** Writes the PEMs beside the data (its parent is the test's temporary directory). */
async function tlsFlags(dataDir: string, tls: EtcdTls): Promise<string[]> {
  const file = async (name: string, pem: string): Promise<string> => {
    const path = `${dataDir}-${name}.pem`;
    await writeFile(path, pem, { mode: 0o600 });
    return path;
  };
  return [
    `--cert-file=${await file('cert', tls.cert)}`,
    `--key-file=${await file('key', tls.key)}`,
    `--trusted-ca-file=${await file('ca', tls.ca)}`,
    '--client-cert-auth',
  ];
}

async function launch(
  args: readonly string[],
  endpoint: string,
  tls: EtcdTls | undefined,
  timeoutMs: number,
): Promise<ChildProcess> {
  const child = spawn(ETCD_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', (err) => (stderr += String(err)));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`etcd exited during startup: ${stderr}`);
    if (await healthy(endpoint, tls)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`etcd at ${endpoint} not healthy within ${timeoutMs} ms: ${stderr}`);
}

async function healthy(endpoint: string, tls: EtcdTls | undefined): Promise<boolean> {
  if (tls !== undefined) return healthyOverTls(endpoint, tls);
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}

function healthyOverTls(endpoint: string, tls: EtcdTls): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(
      `${endpoint}/health`,
      // No SNI: the server is addressed by IP, which SNI does not allow.
      { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey, servername: '', timeout: 1000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve(body.includes('"health":"true"')));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
