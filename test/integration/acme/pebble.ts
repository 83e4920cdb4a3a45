// Let's Encrypt's test CA for the ACME tests: Debian's pebble and pebble-challtestsrv on
// loopback ports. challtestsrv is Pebble's DNS server (every name resolves to 127.0.0.1)
// and holds DNS-01 TXT records set through its management API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { freePort } from '../support/etcd.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface PebbleOptions {
  /** Where Pebble validates HTTP-01 and TLS-ALPN-01: the data plane's ports. */
  readonly httpPort: number;
  readonly tlsPort: number;
  /** PEBBLE_WFE_NONCEREJECT: the percentage of good nonces refused (default 0 here). */
  readonly nonceReject?: number;
  /** Keep Pebble's random validation sleeps (PEBBLE_VA_NOSLEEP unset). */
  readonly sleep?: boolean;
  /** Require external account binding with these kid → base64url HMAC keys. */
  readonly eab?: Readonly<Record<string, string>>;
  /** PEBBLE_VA_ALWAYS_VALID. */
  readonly alwaysValid?: boolean;
}

export interface Pebble {
  readonly directoryUrl: string;
  /** The PEM file that signs Pebble's HTTPS certificate (caCertificates). */
  readonly caFile: string;
  readonly caPem: string;
  /** Pebble's HTTPS listener certificate and key (PEM files), for a front that stands in for it. */
  readonly certFile: string;
  readonly keyFile: string;
  /** challtestsrv's DNS server, host:port (dnsChallenge.resolvers). */
  readonly dnsServer: string;
  /** challtestsrv's management API, for DNS-01 TXT records. */
  readonly challtestsrvUrl: string;
  /** The root that signs issued certificates (Pebble makes a new one at each start). */
  issuingRoot(): Promise<string>;
  /** Stops Pebble (kill -9) and starts it again on the same ports: it forgets everything. */
  restart(): Promise<void>;
  /** Stops Pebble only, as a CA that is down. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

async function tlsFiles(
  dir: string,
): Promise<{ caPem: string; caFile: string; certFile: string; keyFile: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const caKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Pebble listener test CA',
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 86400_000),
    signingAlgorithm: algorithm,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=127.0.0.1',
    issuer: ca.subject,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 86400_000),
    signingAlgorithm: algorithm,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const caPem = ca.toString('pem');
  const files = {
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'cert.pem'),
    keyFile: join(dir, 'key.pem'),
  };
  await writeFile(files.caFile, caPem);
  await writeFile(files.certFile, leaf.toString('pem'));
  await writeFile(files.keyFile, x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
  return { caPem, ...files };
}

/** A child that exited before answering: most likely a port taken since freePort() saw it free. */
class ExitedEarly extends Error {}

export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof ExitedEarly)) throw err;
    }
  }
}

async function startOnce(options: PebbleOptions): Promise<Pebble> {
  const dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sy-pebble-'));
  const tls = await tlsFiles(dir);
  const [acmePort, managementPort, dnsPort, challPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${acmePort}`,
      managementListenAddress: `127.0.0.1:${managementPort}`,
      certificate: tls.certFile,
      privateKey: tls.keyFile,
      httpPort: options.httpPort,
      tlsPort: options.tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: options.eab !== undefined,
      ...(options.eab === undefined ? {} : { externalAccountMACKeys: options.eab }),
    },
  };
  const configFile = join(dir, 'pebble.json');
  await writeFile(configFile, JSON.stringify(config));

  const chall = spawn(
    'pebble-challtestsrv',
    [
      '-defaultIPv4',
      '127.0.0.1',
      '-defaultIPv6',
      '',
      '-dns01',
      `127.0.0.1:${dnsPort}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      '-management',
      `127.0.0.1:${challPort}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const challStderr = keepTail(chall);
  const challtestsrvUrl = `http://127.0.0.1:${challPort}`;

  const env = {
    ...process.env,
    PEBBLE_VA_NOSLEEP: options.sleep === true ? '0' : '1',
    PEBBLE_AUTHZREUSE: '0',
    PEBBLE_WFE_NONCEREJECT: String(options.nonceReject ?? 0),
    ...(options.alwaysValid === true ? { PEBBLE_VA_ALWAYS_VALID: '1' } : {}),
  };
  if (options.sleep === true) delete (env as Record<string, string | undefined>).PEBBLE_VA_NOSLEEP;
  let pebble: ChildProcess | undefined;
  const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
  const launch = async (): Promise<void> => {
    const child = spawn('pebble', ['-config', configFile, '-dnsserver', `127.0.0.1:${dnsPort}`], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr = keepTail(child);
    pebble = child;
    await waitFor(() => httpsGet(directoryUrl, tls.caPem).then(() => true), 'pebble', child, stderr);
  };
  const kill = async (): Promise<void> => {
    const child = pebble;
    pebble = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  };
  const stopChall = async (): Promise<void> => {
    if (chall.exitCode !== null || chall.signalCode !== null) return;
    chall.kill('SIGKILL');
    await once(chall, 'exit');
  };
  try {
    await waitFor(
      () => httpPost(`${challtestsrvUrl}/clear-txt`, { host: 'ready.test.' }).then(() => true),
      'pebble-challtestsrv',
      chall,
      challStderr,
    );
    await launch();
  } catch (err) {
    // Nothing of a failed start may outlive it: a child left running keeps the test file's
    // process, and so the whole run, from ending.
    await kill();
    await stopChall();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    directoryUrl,
    caFile: tls.caFile,
    caPem: tls.caPem,
    certFile: tls.certFile,
    keyFile: tls.keyFile,
    dnsServer: `127.0.0.1:${dnsPort}`,
    challtestsrvUrl,
    issuingRoot: () => httpsGet(`https://127.0.0.1:${managementPort}/roots/0`, tls.caPem),
    restart: async () => {
      await kill();
      await launch();
    },
    kill,
    stop: async () => {
      await kill();
      await stopChall();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The last 2 KB a child wrote to stderr (stdout is drained), for a failed start's message. */
function keepTail(child: ChildProcess): () => string {
  let tail = '';
  child.stdout!.resume();
  child.stderr!.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString('utf8')).slice(-2048)));
  return () => tail;
}

/** Polls until `probe` answers; fails at once if `child` exits first, with what it said. */
async function waitFor(
  probe: () => Promise<boolean>,
  what: string,
  child: ChildProcess,
  stderr: () => string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    const exited = child.exitCode ?? child.signalCode;
    if (exited !== null) throw new ExitedEarly(`${what} exited (${exited}) before answering: ${stderr()}`);
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs} ms: ${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function httpsGet(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode} ${body}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

export function httpPost(url: string, body: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${url}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
