// ACME across a cluster of real processes on 127.0.0.1: control nodes (etcd members
// included) whose static configuration has a certificate resolver pointing at Pebble
// (through the order counter), data nodes with web and websecure entrypoints, and Pebble
// validating HTTP-01 through the challenge balancer, which spreads its requests over
// every data node's web port. Routers come from the file provider's directory.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACME_CERTIFICATES_PREFIX } from '../../../src/cluster/node/index.js';
import { servedCertificate } from '../../e2e/support/http.js';
import { freePort } from '../control-node/cluster-process.js';
import { DistributionCluster, HOST, type DataNode } from '../distribution/harness.js';
import { eventually } from '../standalone/process.js';
import {
  startChallengeBalancer,
  startOrderCounter,
  type ChallengeBalancer,
  type OrderCounter,
} from './pebble-front.js';
import { startPebble, type Pebble } from './pebble.js';

export const RESOLVER = 'le';

export interface AcmeCluster {
  readonly c: DistributionCluster;
  readonly pebble: Pebble;
  readonly orders: OrderCounter;
  readonly balancer: ChallengeBalancer;
  readonly edges: readonly DataNode[];
  /** One router per host on websecure, each asking the resolver for its certificate. */
  writeRouters(hosts: readonly string[]): Promise<void>;
  /** The control node that is the controller now, as list-nodes reports it. */
  controller(): Promise<string>;
  /**
   * Calls `issued` with the main domain and the time (performance.now()) each
   * certificate write reaches a watch on control node `via`'s etcd member.
   */
  watchCertificates(via: string, issued: (main: string, at: number) => void): Promise<() => void>;
  stop(): Promise<void>;
}

export async function startAcmeCluster(
  prefix: string,
  control: readonly string[],
  data: readonly string[],
): Promise<AcmeCluster> {
  const balancer = await startChallengeBalancer();
  const pebble = await startPebble({ httpPort: balancer.port, tlsPort: await freePort() });
  const orders = await startOrderCounter(pebble);
  const c = await DistributionCluster.create(prefix);
  const stop = async (): Promise<void> => {
    await c.cleanup();
    await orders.close();
    await balancer.close();
    await pebble.stop();
  };
  try {
    await c.startControlPlane(control, [
      // A name only, for the routers: control nodes serve no traffic.
      `--entryPoints.websecure.address=${HOST}:3`,
      `--certificatesResolvers.${RESOLVER}.acme.caServer=${orders.directoryUrl}`,
      `--certificatesResolvers.${RESOLVER}.acme.caCertificates=${pebble.caFile}`,
      `--certificatesResolvers.${RESOLVER}.acme.email=ops@cluster.test`,
      `--certificatesResolvers.${RESOLVER}.acme.keyType=EC256`,
      `--certificatesResolvers.${RESOLVER}.acme.httpChallenge.entryPoint=web`,
    ]);
    const peers = `--peeraddresses=${await c.joinAddresses()}`;
    const edges = await Promise.all(
      data.map((name) => c.startData(name, [peers, `--token=${c.tokens.data}`], { websecure: true })),
    );
    balancer.setTargets(edges.map((e) => ({ name: e.name, port: e.web })));
    await eventually(
      async () =>
        (await c.listNodes()).nodes.filter((n) => n.role === 'data' && n.attachedTo !== null).length ===
        data.length,
      60_000,
      'every data node attached',
    );
    return {
      c,
      pebble,
      orders,
      balancer,
      edges,
      writeRouters: (hosts) => c.writeDynamic('acme.yml', routersYaml(hosts)),
      async controller() {
        let name: string | null = null;
        await eventually(
          async () => (name = (await c.listNodes()).controller) !== null,
          30_000,
          'a controller',
        );
        return name!;
      },
      async watchCertificates(via, issued) {
        const client = await c.cluster.etcd(via);
        const watcher = await client.watch().prefix(ACME_CERTIFICATES_PREFIX).create();
        watcher.on('put', (kv) => {
          const at = performance.now();
          issued(kv.key.toString().slice(ACME_CERTIFICATES_PREFIX.length + RESOLVER.length + 1), at);
        });
        return () => {
          void watcher.cancel().finally(() => client.close());
        };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function routersYaml(hosts: readonly string[]): string {
  return [
    'http:',
    '  routers:',
    ...hosts.map(
      (h) =>
        `    ${h.replace(/\W/g, '-')}: { rule: "Host(\`${h}\`)", service: noop@internal, ` +
        `entryPoints: [websecure], tls: { certResolver: ${RESOLVER} } }`,
    ),
  ].join('\n');
}

/** Whether a TLS port serves `host` a certificate from Pebble that names it. */
export async function servesPebbleCertificate(port: number, host: string): Promise<boolean> {
  const certificate = await servedCertificate(port, host).catch(() => undefined);
  return (
    certificate !== undefined &&
    /^Pebble Intermediate/.test(String(certificate.issuer?.CN ?? '')) &&
    (certificate.subjectaltname ?? '').split(', ').includes(`DNS:${host}`)
  );
}

/**
 * performance.now() once `port` served `host` Pebble's certificate, polled every `everyMs`:
 * the end of the first handshake that got it, so the figure errs late, not early.
 */
export async function firstServed(
  port: number,
  host: string,
  timeoutMs: number,
  everyMs = 10,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await servesPebbleCertificate(port, host)) return performance.now();
    if (performance.now() > deadline)
      throw new Error(`:${port} did not serve ${host} within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}
