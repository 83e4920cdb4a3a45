import { once } from 'node:events';
import { Metadata, Server, type ServerDuplexStream } from '@grpc/grpc-js';
import {
  grpcPeerAuthorizer,
  grpcServerCredentials,
  type Credentials,
  type DataKey,
} from '../cluster/pki/index.js';
import type { Store } from '../cluster/store/index.js';
import type { Logger } from '../log/index.js';
import { decodeFrame, encodeFrame } from './codec.js';
import { DistributionError } from './errors.js';
import { Feed } from './feed.js';
import { DISTRIBUTION_SERVICE, GRPC_STATUS, grpcOptions } from './grpc-service.js';
import { Heartbeat } from './heartbeat.js';
import { DataMessage, type ControlMessage } from './messages.js';
import { StoreMirror } from './mirror.js';
import type { DataNodeStatus } from './status.js';
import { StatusBoard } from './status-board.js';
import { DEFAULT_STREAM_TIMING, type StreamTiming } from './timing.js';

// A control node's distribution service: every control node runs one (not only the
// controller), so a data node can attach to any. Each call is authorized as a data node's
// (the TLS layer has already refused certificates of another CA), checked against the
// removed nodes, and fed from the control node's one mirror of the store.

export interface DistributionServerOptions {
  readonly store: Store;
  readonly dataKey: DataKey;
  /** This control node's credentials: its certificate serves, the cluster CA verifies callers. */
  readonly credentials: Credentials;
  /** This control node's id, written in each attached data node's status. */
  readonly nodeId: string;
  /** Port 0 picks a free port (see `.port`). */
  readonly listen: { readonly host: string; readonly port: number };
  /** Removed nodes: refused even with a valid certificate. */
  readonly isDenied?: (nodeId: string) => Promise<boolean>;
  readonly log: Logger;
  readonly timing?: StreamTiming;
}

type Call = ServerDuplexStream<Buffer, Buffer>;

/** How long close() lets streams end cleanly before cutting them. */
const SHUTDOWN_GRACE_MS = 2_000;

export class DistributionServer {
  #port = 0;
  readonly #server: Server;
  readonly #mirror: StoreMirror;
  readonly #board: StatusBoard;
  readonly #calls = new Set<() => void>();

  private constructor(server: Server, mirror: StoreMirror, board: StatusBoard) {
    this.#server = server;
    this.#mirror = mirror;
    this.#board = board;
  }

  static async start(options: DistributionServerOptions): Promise<DistributionServer> {
    const { store, dataKey, log } = options;
    const timing = options.timing ?? DEFAULT_STREAM_TIMING;
    const mirror = await StoreMirror.start({ store, dataKey, log });
    const board = await StatusBoard.start({ store, controlNodeId: options.nodeId, log }).catch(
      (err: unknown) => {
        mirror.close();
        throw err;
      },
    );
    const server = new Server(grpcOptions(timing));
    const self = new DistributionServer(server, mirror, board);
    const authorize = grpcPeerAuthorizer(options.credentials, ['data']);
    server.addService(DISTRIBUTION_SERVICE, {
      stream: (call: Call) => {
        self.#serve(call, options, timing, authorize).catch((err: unknown) => {
          log.error({ err }, 'serving a distribution stream failed');
          call.emit('error', { code: GRPC_STATUS.DIST_CLOSED, details: String(err) });
        });
      },
    });
    const { host, port } = options.listen;
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    let bound: number;
    try {
      bound = await new Promise<number>((resolve, reject) =>
        server.bindAsync(address, grpcServerCredentials(options.credentials), (err, p) =>
          err === null ? resolve(p) : reject(err),
        ),
      );
    } catch (err) {
      mirror.close();
      await board.close();
      throw err;
    }
    self.#port = bound;
    log.info({ address: `${host}:${bound}` }, 'distribution server listening');
    return self;
  }

  /** The port bound (the one asked for, or the free one picked for port 0). */
  get port(): number {
    return this.#port;
  }

  /** The data nodes attached to this control node. */
  attached(): DataNodeStatus[] {
    return this.#board.list();
  }

  /** Ends every stream (data nodes move to another control node), removes their statuses. */
  async close(): Promise<void> {
    for (const end of this.#calls) end();
    this.#mirror.close();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      this.#server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    await this.#board.close();
  }

  async #serve(
    call: Call,
    options: DistributionServerOptions,
    timing: StreamTiming,
    authorize: ReturnType<typeof grpcPeerAuthorizer>,
  ): Promise<void> {
    const { log } = options;
    const refuse = (error: DistributionError): void => {
      log.warn({ err: error, peer: call.getPeer() }, 'distribution stream refused');
      call.emit('error', { code: GRPC_STATUS[error.code], details: error.message });
    };
    const peer = authorize(call);
    if (!peer.ok) return refuse(new DistributionError('DIST_DENIED', 'peer', peer.error.message));
    const nodeId = peer.value.nodeId;
    if (await options.isDenied?.(nodeId)) {
      return refuse(
        new DistributionError('DIST_DENIED', 'peer', `node ${nodeId} was removed from the cluster`),
      );
    }

    // Headers now tell the data node its stream is accepted (see grpc-endpoint.ts).
    call.sendMetadata(new Metadata());
    let open = true;
    const attachment = this.#board.attach(nodeId);
    const closed = new Promise<void>((resolve) => call.once('close', resolve));
    let outbound = Promise.resolve();
    const write = (message: ControlMessage): Promise<void> => {
      heartbeat.spoke();
      const sent = outbound.then(async () => {
        if (!open) throw new DistributionError('DIST_CLOSED', nodeId, 'the stream is closed');
        if (!call.write(await encodeFrame(message))) await Promise.race([once(call, 'drain'), closed]);
      });
      outbound = sent.catch(() => undefined);
      return sent;
    };
    const feed = new Feed({ nodeId, mirror: this.#mirror, send: write, report: (r) => attachment.report(r) });
    const heartbeat = new Heartbeat(timing, {
      sendKeepalive: () => void write({ type: 'keepalive' }).catch(() => undefined),
      onIdle: () =>
        end(new DistributionError('DIST_TIMEOUT', nodeId, `nothing heard for ${timing.idleTimeoutMs} ms`)),
    });
    const cleanUp = (): void => {
      if (!open) return;
      open = false;
      this.#calls.delete(shutdown);
      feed.close();
      heartbeat.stop();
      attachment.detach();
    };
    const end = (error: DistributionError): void => {
      if (!open) return;
      log.warn({ err: error, node: nodeId }, 'distribution stream ended');
      cleanUp();
      call.emit('error', { code: GRPC_STATUS[error.code], details: error.message });
    };
    const shutdown = (): void =>
      end(new DistributionError('DIST_CLOSED', nodeId, 'the control node is shutting down'));
    this.#calls.add(shutdown);
    log.info({ node: nodeId }, 'data node attached');

    let inbound = Promise.resolve();
    call.on('data', (frame: Buffer) => {
      heartbeat.heard();
      inbound = inbound.then(async () => {
        const decoded = await decodeFrame(frame, DataMessage);
        if (!open) return;
        if (!decoded.ok) return end(decoded.error);
        const refused = feed.receive(decoded.value);
        if (refused !== undefined) end(refused);
      });
    });
    call.on('end', () => {
      cleanUp();
      call.end();
    });
    call.on('error', () => cleanUp());
    void closed.then(() => {
      if (open) log.info({ node: nodeId }, 'data node detached');
      cleanUp();
    });
  }
}
