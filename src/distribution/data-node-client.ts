import type { Credentials } from '../cluster/pki/index.js';
import type { ApplyInput, ApplyOutcome } from '../dataplane/index.js';
import type { Logger } from '../log/index.js';
import { ClientRunner, type ClientStatus } from './client-runner.js';
import { grpcEndpoint } from './grpc-endpoint.js';
import {
  DEFAULT_RECONNECT,
  DEFAULT_STREAM_TIMING,
  type ReconnectTiming,
  type StreamTiming,
} from './timing.js';

export interface DataNodeClientOptions {
  readonly nodeId: string;
  /** The data node's credentials (a `data` certificate of the cluster CA). */
  readonly credentials: Credentials;
  /** Control nodes' distribution addresses, host:port ([v6]:port); at least one. */
  readonly controlNodes: readonly string[];
  /** Where the last applied version is cached (the node's state directory). */
  readonly stateDir: string;
  /** The entrypoints to serve while no static document from the control plane names any. */
  readonly localEntryPoints: ApplyInput['entryPoints'];
  readonly apply: (input: ApplyInput) => Promise<ApplyOutcome>;
  readonly log: Logger;
  readonly timing?: StreamTiming;
  readonly reconnect?: ReconnectTiming;
}

export type DataNodeClientStatus = ClientStatus;

/** A data node's client over gRPC: the cached version first, then one control node at a time. */
export class DataNodeClient {
  readonly #runner: ClientRunner;

  constructor(options: DataNodeClientOptions) {
    if (options.controlNodes.length === 0)
      throw new Error('a data node needs at least one control node address');
    const timing = options.timing ?? DEFAULT_STREAM_TIMING;
    this.#runner = new ClientRunner({
      nodeId: options.nodeId,
      stateDir: options.stateDir,
      localEntryPoints: options.localEntryPoints,
      apply: options.apply,
      log: options.log,
      endpoints: options.controlNodes.map((address) => grpcEndpoint(address, options.credentials, timing)),
      reconnect: options.reconnect ?? DEFAULT_RECONNECT,
    });
  }

  /** Loads the cache and applies it (resolved once it serves), then connects in the background. */
  start(): Promise<void> {
    return this.#runner.start();
  }

  status(): DataNodeClientStatus {
    return this.#runner.status();
  }

  stop(): Promise<void> {
    return this.#runner.stop();
  }
}
