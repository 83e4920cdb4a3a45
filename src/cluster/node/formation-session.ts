import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import { z } from 'zod';
import type { Logger } from '../../log/index.js';
import { answerPing, caFingerprint, createClusterCa, verifyPinnedServer } from '../pki/index.js';
import { NodeError } from './errors.js';
import {
  FORMATION_STATES,
  formationStep,
  type FormationReport,
  type FormationState,
  type HeardReport,
} from './formation.js';
import { formationMac, sameMac } from './formation-crypto.js';
import { formatPeerAddress, resolvePeerAddresses, type PeerAddress } from './peer-address.js';

// The I/O of bootstrap-expect: a small HTTPS endpoint on the join port that says what this
// node is doing, and a loop that asks every peer address the same. HTTPS with a throwaway
// certificate, so the asking side speaks the same protocol to a forming node and to a
// formed one (the join server, which presents the cluster CA): that is how it tells them
// apart. Messages are authenticated with the formation key (formation-crypto.ts).

export const FORMATION_PATH = '/formation';

const Report = z.strictObject({
  nodeId: z.string().min(1).max(253),
  state: z.enum(FORMATION_STATES),
  vote: z.string().min(1).max(253).optional(),
});
const Request = z.strictObject({ report: Report, nonce: z.string().max(64), mac: z.string().max(64) });
const Answer = z.strictObject({ report: Report, mac: z.string().max(64) });

export interface FormationSessionOptions {
  readonly self: string;
  readonly expect: number;
  /** `host[:port]` of every control node, or DNS names that resolve to them. */
  readonly peers: readonly string[];
  readonly defaultPort: number;
  readonly listenHost: string;
  readonly listenPort: number;
  readonly key: Buffer;
  readonly log: Logger;
  readonly pollMs?: number;
  readonly forgetAfterMs?: number;
  readonly voteFreshMs?: number;
  readonly requestTimeoutMs?: number;
}

export type FormationOutcome =
  | { readonly type: 'bootstrap' }
  | { readonly type: 'join'; readonly peers: readonly PeerAddress[]; readonly caFingerprint: string };

type Heard =
  | { readonly type: 'forming'; readonly report: FormationReport }
  | { readonly type: 'formed'; readonly caFingerprint: string }
  | { readonly type: 'none' };

export class FormationSession {
  readonly #options: FormationSessionOptions;
  readonly #server: Server;
  readonly #peers = new Map<string, HeardReport>();
  /** Addresses that turned out to be this node. */
  readonly #own = new Set<string>();
  #state: FormationState = 'forming';
  #vote: string | undefined;

  private constructor(options: FormationSessionOptions, server: Server) {
    this.#options = options;
    this.#server = server;
  }

  /** Starts answering on the join port. */
  static async open(options: FormationSessionOptions): Promise<FormationSession> {
    const cert = await createClusterCa({ clusterId: 'formation' });
    if (!cert.ok) throw cert.error;
    const server = createServer({
      key: cert.value.keyPem,
      cert: cert.value.certPem,
      minVersion: 'TLSv1.3',
      requestTimeout: 5000,
    });
    const session = new FormationSession(options, server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => session.#answer(req, res));
    server.listen(options.listenPort, options.listenHost);
    await once(server, 'listening');
    return session;
  }

  setState(state: FormationState): void {
    this.#state = state;
  }

  /** Asks the peers until this node should bootstrap or join; `signal` ends it early. */
  async decide(signal: AbortSignal): Promise<FormationOutcome> {
    const o = this.#options;
    let lastLog = 0;
    while (!signal.aborted) {
      const addresses = await this.#resolve();
      const heard = await Promise.all(addresses.map(async (a) => [a, await this.#ask(a)] as const));
      const formed = heard.flatMap(([a, h]) => (h.type === 'formed' ? [{ a, fp: h.caFingerprint }] : []));
      const now = Date.now();
      for (const [, h] of heard) if (h.type === 'forming') this.#hear(h.report, now);
      const step = formationStep({
        self: o.self,
        expect: o.expect,
        now,
        peers: this.#peers,
        formed: formed.length,
        forgetAfterMs: o.forgetAfterMs ?? 15_000,
        voteFreshMs: o.voteFreshMs ?? 2000,
      });
      if (step.type === 'join') {
        const fp = formed[0]!.fp;
        this.#state = 'joining';
        return { type: 'join', caFingerprint: fp, peers: formed.filter((f) => f.fp === fp).map((f) => f.a) };
      }
      if (step.type === 'bootstrap') {
        this.#state = 'bootstrapping';
        return { type: 'bootstrap' };
      }
      this.#vote = step.vote;
      if (now - lastLog >= 5000) {
        lastLog = now;
        o.log.info(
          { forming: step.forming, expect: o.expect, vote: step.vote, peers: addresses.length },
          'waiting for control nodes to form the cluster',
        );
      }
      await sleep(o.pollMs ?? 250, undefined, { signal }).catch(() => undefined);
    }
    throw new NodeError('NODE_NO_CLUSTER', 'bootstrap-expect', 'stopped before the cluster formed');
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = once(this.#server, 'close');
    this.#server.close();
    this.#server.closeAllConnections();
    await closed;
  }

  #report(): FormationReport {
    return {
      nodeId: this.#options.self,
      state: this.#state,
      ...(this.#vote === undefined || this.#state !== 'forming' ? {} : { vote: this.#vote }),
    };
  }

  #hear(report: FormationReport, at: number): void {
    if (report.nodeId !== this.#options.self) this.#peers.set(report.nodeId, { ...report, at });
  }

  async #resolve(): Promise<PeerAddress[]> {
    const all = await resolvePeerAddresses(this.#options.peers, this.#options.defaultPort);
    return all.filter((a) => !this.#own.has(formatPeerAddress(a)));
  }

  #ask(peer: PeerAddress): Promise<Heard> {
    const { key, requestTimeoutMs = 1000 } = this.#options;
    const report = this.#report();
    const nonce = randomBytes(16).toString('base64');
    const body = JSON.stringify({
      report,
      nonce,
      mac: formationMac(key, 'request', nonce, JSON.stringify(report)),
    });
    return new Promise<Heard>((resolve) => {
      const req = request(
        {
          host: peer.host,
          port: peer.port,
          method: 'POST',
          path: FORMATION_PATH,
          rejectUnauthorized: false,
          agent: false,
          timeout: requestTimeoutMs,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const formed = formedCluster(res.socket as TLSSocket);
          if (formed !== undefined) {
            res.resume();
            resolve({ type: 'formed', caFingerprint: formed });
            return;
          }
          readBody(res).then(
            (text) => resolve(this.#readAnswer(peer, nonce, text)),
            () => resolve({ type: 'none' }),
          );
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve({ type: 'none' }));
      req.end(body);
    });
  }

  #readAnswer(peer: PeerAddress, nonce: string, text: string): Heard {
    const answer = parseJson(text, Answer);
    if (answer === undefined) return { type: 'none' };
    const { report, mac } = answer;
    if (!sameMac(mac, formationMac(this.#options.key, 'answer', nonce, JSON.stringify(report)))) {
      this.#options.log.warn(
        { peer: formatPeerAddress(peer) },
        'formation answer fails authentication: another bootstrap token?',
      );
      return { type: 'none' };
    }
    if (report.nodeId === this.#options.self) {
      this.#own.add(formatPeerAddress(peer));
      return { type: 'none' };
    }
    return { type: 'forming', report };
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    if (answerPing(req, res)) return;
    if (req.method !== 'POST' || req.url !== FORMATION_PATH) {
      res.writeHead(404).end();
      return;
    }
    readBody(req).then(
      (text) => {
        const request = parseJson(text, Request);
        const key = this.#options.key;
        if (
          request === undefined ||
          !sameMac(request.mac, formationMac(key, 'request', request.nonce, JSON.stringify(request.report)))
        ) {
          res.writeHead(401).end();
          return;
        }
        this.#hear(request.report, Date.now());
        const report = this.#report();
        const mac = formationMac(key, 'answer', request.nonce, JSON.stringify(report));
        const out = JSON.stringify({ report, mac });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
        res.end(out);
      },
      () => res.destroy(),
    );
  }
}

/** The CA fingerprint when the server is a control node of a formed cluster (its join server). */
function formedCluster(socket: TLSSocket): string | undefined {
  const leaf = socket.getPeerCertificate(true);
  const issuer = leaf.issuerCertificate;
  if (issuer?.raw === undefined || issuer.fingerprint256 === leaf.fingerprint256) return undefined;
  const fp = caFingerprint(issuer.raw);
  return verifyPinnedServer(socket, fp).ok ? fp : undefined;
}

const MAX_BODY = 4096;

function readBody(stream: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) stream.destroy(new Error('too large'));
      else chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

function parseJson<T>(text: string, schema: z.ZodType<T>): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
