import { once } from 'node:events';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RemovedNode } from '../../cluster/node/index.js';
import {
  clientTlsOptions,
  clusterIdOfCa,
  guardRequests,
  serverTlsOptions,
  type Credentials,
} from '../../cluster/pki/index.js';
import { DEFAULT_ADMIN_PORT } from './admin-address.js';
import { createAdminApp } from './admin-app.js';
import { DeadNodeCleanup } from './dead-node-cleanup.js';
import { setPeer } from './peer.js';
import type { AdminSources } from './sources.js';

export interface AdminServerOptions {
  readonly sources: AdminSources;
  /** This control node's credentials: they serve the API and carry forwarded writes. */
  readonly credentials: Credentials;
  /** Default 0.0.0.0: admins connect from elsewhere, as with Traefik Enterprise's API. */
  readonly host?: string;
  /** Default 55055; 0 picks a free port. */
  readonly port?: number;
  /** Remove nodes down this long (default 30 min). */
  readonly deadNodeTimeoutMs?: number;
  readonly cleanupIntervalMs?: number;
  readonly onNodeExpired?: (record: RemovedNode) => void;
  readonly onCleanupError?: (err: unknown) => void;
}

/**
 * The admin API of a control node: HTTPS with mutual TLS, the cluster CA as the only
 * root, and admin certificates only (control nodes may forward writes). A client
 * without a certificate, or with one from another CA, fails the handshake; a data
 * node's certificate gets 403. Also runs the dead-node cleanup, which acts only while
 * this node is the controller.
 */
export class AdminServer {
  readonly #options: AdminServerOptions;
  readonly #cleanup: DeadNodeCleanup;
  #server: Server | undefined;
  #agent: Agent | undefined;

  constructor(options: AdminServerOptions) {
    this.#options = options;
    this.#cleanup = new DeadNodeCleanup({
      sources: options.sources,
      afterMs: options.deadNodeTimeoutMs,
      intervalMs: options.cleanupIntervalMs,
      onRemoved: options.onNodeExpired,
      onError: options.onCleanupError,
    });
  }

  /** Listens and starts the cleanup; close() undoes both, also after a failure here. */
  async listen(): Promise<AddressInfo> {
    const { credentials, sources } = this.#options;
    const clusterId = clusterIdOfCa(credentials.caPem);
    if (!clusterId.ok) throw clusterId.error;
    this.#agent = new Agent({ ...clientTlsOptions(credentials), keepAlive: true });
    const app = createAdminApp({ sources, clusterId: clusterId.value, forwardAgent: this.#agent });
    const server = createServer(
      serverTlsOptions(credentials),
      guardRequests(['admin', 'control'], (req, res, peer) => {
        setPeer(req, peer);
        app(req, res);
      }),
    );
    this.#server = server;
    server.listen(this.#options.port ?? DEFAULT_ADMIN_PORT, this.#options.host ?? '0.0.0.0');
    await once(server, 'listening');
    this.#cleanup.start();
    return server.address() as AddressInfo;
  }

  /** The dead-node cleanup, for a pass on demand. */
  get cleanup(): DeadNodeCleanup {
    return this.#cleanup;
  }

  async close(): Promise<void> {
    this.#cleanup.stop();
    this.#agent?.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server?.listening !== true) return;
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  }
}
