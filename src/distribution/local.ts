import type { DataKey } from '../cluster/pki/index.js';
import type { Store } from '../cluster/store/index.js';
import type { ApplyInput, ApplyOutcome } from '../dataplane/index.js';
import type { Logger } from '../log/index.js';
import { ClientRunner, type ClientStatus } from './client-runner.js';
import { Feed } from './feed.js';
import type { Endpoint } from './link.js';
import { StoreMirror } from './mirror.js';
import { StatusBoard } from './status-board.js';
import { DEFAULT_RECONNECT } from './timing.js';

// Standalone's data role, fed by the same feed and client as a cluster's data nodes, paired
// in one process: the messages pass as objects instead of gRPC frames, and that is all
// that differs. The node's status is written like any data node's.

export interface LocalDistributionOptions {
  readonly store: Store;
  readonly dataKey: DataKey;
  /** The node's id: both ends of the pairing, and its status key. */
  readonly nodeId: string;
  readonly stateDir: string;
  readonly localEntryPoints: ApplyInput['entryPoints'];
  readonly apply: (input: ApplyInput) => Promise<ApplyOutcome>;
  readonly log: Logger;
}

export interface LocalDistribution {
  status(): ClientStatus;
  close(): Promise<void>;
}

/** Resolves once the cached version (if any) serves; the store's versions follow. */
export async function startLocalDistribution(options: LocalDistributionOptions): Promise<LocalDistribution> {
  const { store, dataKey, nodeId, log } = options;
  const mirror = await StoreMirror.start({ store, dataKey, log });
  const board = await StatusBoard.start({ store, controlNodeId: nodeId, log }).catch((err: unknown) => {
    mirror.close();
    throw err;
  });
  const endpoint: Endpoint = {
    name: 'local',
    connect: (handlers) => {
      let open = true;
      const attachment = board.attach(nodeId);
      const feed = new Feed({
        nodeId,
        mirror,
        // A turn of the event loop per message, as a socket would give: neither side
        // runs inside the other's call stack.
        send: async (message) => {
          await new Promise((resolve) => setImmediate(resolve));
          if (!open) throw new Error('the local stream is closed');
          handlers.onMessage(message);
        },
        report: (report) => attachment.report(report),
      });
      const close = (error: Error | undefined): void => {
        if (!open) return;
        open = false;
        feed.close();
        attachment.detach();
        handlers.onClose(error);
      };
      return Promise.resolve({
        send: (message) =>
          queueMicrotask(() => {
            if (!open) return;
            const refused = feed.receive(message);
            if (refused !== undefined) close(refused);
          }),
        close: () => close(undefined),
      });
    },
  };
  const runner = new ClientRunner({
    nodeId,
    stateDir: options.stateDir,
    localEntryPoints: options.localEntryPoints,
    apply: options.apply,
    log,
    endpoints: [endpoint],
    reconnect: DEFAULT_RECONNECT,
  });
  const close = async (): Promise<void> => {
    await runner.stop();
    mirror.close();
    await board.close();
  };
  try {
    await runner.start();
  } catch (err) {
    await close();
    throw err;
  }
  return { status: () => runner.status(), close };
}
