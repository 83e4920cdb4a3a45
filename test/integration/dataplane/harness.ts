// Scaffolding for the data plane tests: origins and a DataPlane on 127.0.0.1 (port 0),
// configuration builders, and small clients that report exactly what came back.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import { Writable } from 'node:stream';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { decodeDynamicConfig, type DynamicConfig } from '../../../src/config/dynamic/index.js';
import { StaticConfig } from '../../../src/config/static/index.js';
import { DataPlane, type ApplyOutcome } from '../../../src/dataplane/index.js';
import { createLogger } from '../../../src/log/index.js';

export type EntryPoints = StaticConfig['entryPoints'];

export interface Origin {
  readonly port: number;
  readonly url: string;
  readonly server: http.Server;
  close(): Promise<void>;
}

/**
 * An origin answering JSON with its name and what it received. `?delay=ms` holds the
 * answer that long.
 */
export async function startOrigin(name: string): Promise<Origin> {
  const server = http.createServer((req, res) => {
    req.resume();
    const delay = Number(/[?&]delay=(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    const timer = setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ name, url: req.url, method: req.method, headers: req.headers }));
    }, delay);
    res.on('close', () => clearTimeout(timer));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export function entryPoints(raw: Record<string, unknown>): EntryPoints {
  return StaticConfig.parse({ entryPoints: raw }).entryPoints;
}

/** Decodes a Traefik-style document, names already qualified; fails on any error. */
export function dynamic(raw: {
  http?: Record<string, unknown>;
  tls?: Record<string, unknown>;
}): DynamicConfig {
  const { config, errors } = decodeDynamicConfig(raw);
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));
  return config;
}

/** A load-balancer service over origins. */
export const service = (...origins: Origin[]) => ({
  loadBalancer: { servers: origins.map((o) => ({ url: o.url })) },
});

const silent = createLogger({
  level: 'FATAL',
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});

export function newDataPlane(options: { ping?: StaticConfig['ping'] } = {}): DataPlane {
  return new DataPlane({
    logger: silent,
    serverName: 'switchyard-test',
    ...(options.ping ? { ping: options.ping } : {}),
  });
}

/** Applies a version and fails the test unless it was applied. */
export async function mustApply(
  dp: DataPlane,
  version: number,
  eps: EntryPoints,
  config: DynamicConfig,
): Promise<ApplyOutcome> {
  const outcome = await dp.apply({ version, entryPoints: eps, dynamic: config });
  if (!outcome.ok) throw new Error(`version ${version} rejected: ${outcome.errors.map(String).join('; ')}`);
  return outcome;
}

/**
 * Applies version 1: one entrypoint `websecure` whose every request goes to `origin` over
 * TLS, with `tls` as the dynamic tls section. Returns the entrypoint's port.
 */
export async function serveOverTls(
  dp: DataPlane,
  origin: Origin,
  tls?: Record<string, unknown>,
): Promise<number> {
  const http = {
    routers: { 'r@file': { rule: 'PathPrefix(`/`)', service: 's@file', tls: {} } },
    services: { 's@file': service(origin) },
  };
  const eps = entryPoints({ websecure: { address: '127.0.0.1:0' } });
  await mustApply(dp, 1, eps, dynamic(tls === undefined ? { http } : { http, tls }));
  return portOf(dp, 'websecure');
}

export function portOf(dp: DataPlane, entryPoint: string): number {
  const bound = dp.status().entryPoints[entryPoint];
  if (bound === undefined) throw new Error(`entrypoint ${entryPoint} is not bound`);
  return bound.port;
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The origin's JSON answer, when the body is one. */
  readonly echo: { name: string; url: string; method: string; headers: Record<string, string> } | undefined;
}

export interface RequestOptions {
  readonly path?: string;
  readonly host?: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly agent?: http.Agent | false;
}

function reply(res: http.IncomingMessage): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('error', reject);
    res.on('end', () => {
      let echo: Reply['echo'];
      try {
        echo = JSON.parse(body) as Reply['echo'];
      } catch {
        echo = undefined;
      }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body, echo });
    });
  });
}

export function request(port: number, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        headers: { host: options.host ?? 'app.test', ...options.headers },
        agent: options.agent ?? false,
      },
      (res) => reply(res).then(resolve, reject),
    );
    req.on('error', reject);
    req.end();
  });
}

export interface TlsReply extends Reply {
  readonly certificate: PeerCertificate;
  readonly protocol: string | null;
}

export function tlsRequest(
  port: number,
  options: RequestOptions & {
    servername?: string;
    minVersion?: 'TLSv1.2' | 'TLSv1.3';
    maxVersion?: 'TLSv1.2' | 'TLSv1.3';
    clientCertificate?: { cert: string; key: string };
  } = {},
): Promise<TlsReply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        headers: { host: options.host ?? options.servername ?? 'app.test', ...options.headers },
        servername: options.servername ?? '',
        rejectUnauthorized: false,
        agent: false,
        ...(options.minVersion ? { minVersion: options.minVersion } : {}),
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
        ...(options.clientCertificate ?? {}),
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const certificate = socket.getPeerCertificate();
        const protocol = socket.getProtocol();
        reply(res).then((r) => resolve({ ...r, certificate, protocol }), reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** A self-signed EC certificate for `names` (the first is also the common name), as PEM. */
export async function selfSigned(
  names: string[],
  keyType: 'ecdsa' | 'rsa' = 'ecdsa',
): Promise<{ cert: string; key: string }> {
  const algorithm =
    keyType === 'ecdsa'
      ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
      : {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${names[0]}`,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 86400_000),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value }))),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: cert.toString('pem'), key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

/** The subject alternative names a client saw, e.g. "DNS:a.test". */
export const sans = (certificate: PeerCertificate): string => certificate.subjectaltname ?? '';
