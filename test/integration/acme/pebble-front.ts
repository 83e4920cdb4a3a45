// What stands between Pebble and a cluster of real processes, on 127.0.0.1:
// - a challenge balancer: Pebble validates HTTP-01 on one port (its httpPort); the
//   balancer spreads those requests round-robin over every data node's web port, as a
//   load balancer in front of a cluster would, and counts what each node answered;
// - an order counter: an HTTPS front of Pebble's ACME API (Pebble's own listener
//   certificate, so the CA file still verifies it) that counts the orders Pebble created
//   per set of identifiers, from the requests themselves: a witness that does not rely
//   on the store's records.
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { httpsGet, type Pebble } from './pebble.js';

const CHALLENGE_PATH = '/.well-known/acme-challenge/';

export interface BalancerTarget {
  readonly name: string;
  readonly port: number;
}

export interface ChallengeBalancer {
  readonly port: number;
  /** HTTP-01 requests each target answered with 200, by target name. */
  readonly answered: Map<string, number>;
  /** HTTP-01 requests received so far. */
  readonly challenges: number;
  setTargets(targets: readonly BalancerTarget[]): void;
  close(): Promise<void>;
}

export async function startChallengeBalancer(port = 0): Promise<ChallengeBalancer> {
  let targets: readonly BalancerTarget[] = [];
  let next = 0;
  const answered = new Map<string, number>();
  let challenges = 0;
  const server = http.createServer((req, res) => {
    const target = targets[next++ % Math.max(1, targets.length)];
    const path = req.url ?? '/';
    const isChallenge = path.startsWith(CHALLENGE_PATH);
    if (isChallenge) challenges++;
    if (target === undefined) {
      res.writeHead(502).end('no data node');
      return;
    }
    const upstream = http.request(
      { host: '127.0.0.1', port: target.port, method: req.method, path, headers: req.headers, agent: false },
      (reply) => {
        if (isChallenge && reply.statusCode === 200)
          answered.set(target.name, (answered.get(target.name) ?? 0) + 1);
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', (err) => res.writeHead(502).end(`${target.name}: ${err.message}`));
    req.pipe(upstream);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    answered,
    get challenges() {
      return challenges;
    },
    setTargets: (next) => (targets = [...next]),
    close: () => closeServer(server),
  };
}

export interface OrderCounter {
  /** The front's ACME directory: give it to the resolver as caServer. */
  readonly directoryUrl: string;
  /** Orders Pebble created (201 to newOrder), by their identifiers sorted and joined with ','. */
  readonly created: Map<string, number>;
  /**
   * Holds the reply to each order Pebble creates until `hook` settles (none: replies go
   * at once). What the test does meanwhile, a kill -9 of the client, happens after the CA
   * created the order and before the client could record it.
   */
  holdCreated(hook: ((names: string) => Promise<unknown>) | undefined): void;
  close(): Promise<void>;
}

/** An HTTPS front of Pebble's ACME API that counts newOrder requests Pebble accepted. */
export async function startOrderCounter(pebble: Pebble): Promise<OrderCounter> {
  const directory = new URL(pebble.directoryUrl);
  const newOrderPath = new URL(
    (JSON.parse(await httpsGet(pebble.directoryUrl, pebble.caPem)) as { newOrder: string }).newOrder,
  ).pathname;
  const created = new Map<string, number>();
  let hold: ((names: string) => Promise<unknown>) | undefined;
  const server = https.createServer(
    { cert: await readFile(pebble.certFile), key: await readFile(pebble.keyFile) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        // The Host header goes through unchanged: Pebble builds the URLs it answers with
        // from it, so the client keeps talking to the front.
        const upstream = https.request(
          {
            host: directory.hostname,
            port: directory.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
            ca: pebble.caPem,
            agent: false,
          },
          (reply) => {
            const forward = (): void => {
              res.writeHead(reply.statusCode ?? 502, reply.headers);
              reply.pipe(res);
            };
            if (req.method !== 'POST' || req.url !== newOrderPath || reply.statusCode !== 201)
              return forward();
            const names = orderIdentifiers(body);
            created.set(names, (created.get(names) ?? 0) + 1);
            if (hold === undefined) return forward();
            // The client may be gone by then: the reply goes nowhere.
            res.on('error', () => {});
            void hold(names).then(forward, forward);
          },
        );
        upstream.on('error', (err) => res.writeHead(502).end(err.message));
        upstream.end(body);
      });
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    directoryUrl: `https://127.0.0.1:${port}${directory.pathname}`,
    created,
    holdCreated: (hook) => (hold = hook),
    close: () => closeServer(server),
  };
}

/** The identifiers of a newOrder request: its JWS payload, base64url JSON. */
function orderIdentifiers(body: Buffer): string {
  const jws = JSON.parse(body.toString('utf8')) as { payload: string };
  const payload = JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')) as {
    identifiers: { value: string }[];
  };
  return payload.identifiers
    .map((i) => i.value)
    .sort()
    .join(',');
}

async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}
