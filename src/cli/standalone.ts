import { mkdir } from 'node:fs/promises';
import { Election } from '../cluster/election/index.js';
import { ControllerGate } from '../cluster/node/index.js';
import type { StaticConfig } from '../config/static/index.js';
import { apiInternals } from '../api/index.js';
import { AccessLog, DataPlane, type ApplyInput, type ApplyOutcome } from '../dataplane/index.js';
import { startLocalDistribution } from '../distribution/index.js';
import type { Logger } from '../log/index.js';
import { controllerDuty, type ProvidersDuty } from './controller-duty.js';
import { openStandaloneStore } from './standalone-store.js';
import { VERSION } from './version.js';

export interface StandaloneNode {
  stop(): Promise<void>;
}

/** The node id of standalone's two roles: the controller's term and the data node's status. */
const STANDALONE_NODE_ID = 'standalone';

/**
 * One process with both roles, on the path a cluster takes (docs/distribution.md): the
 * providers feed the controller, which the election on the embedded store lets run and
 * whose versions the ConfigWriter writes into the store, one key per resource; the data
 * plane is fed from the store by the distribution's feed and client, paired in-process.
 * One code path for one node and for fifty.
 */
export async function startStandalone(config: StaticConfig, logger: Logger): Promise<StandaloneNode> {
  await mkdir(config.stateDir, { recursive: true });
  const entryPoints = config.entryPoints;
  // Traefik refuses to start when the access log cannot be opened; so does open().
  const accessLog = config.accessLog ? await AccessLog.open(config.accessLog, { logger }) : undefined;
  const { store, dataKey } = await openStandaloneStore(config.stateDir);

  let duty: ProvidersDuty | undefined;
  const election = new Election({ store, nodeId: STANDALONE_NODE_ID });
  const gate = new ControllerGate({
    store,
    election,
    dataKey,
    duty: () => (duty = controllerDuty(config, logger)),
    log: logger,
  });

  let dataPlane: DataPlane | undefined = undefined;
  const api = apiInternals({
    static: config,
    controller: {
      current: () => duty?.controller?.current(),
      currentErrors: () => duty?.controller?.currentErrors() ?? [],
    },
    dataPlane: () => dataPlane,
    merged: () => duty?.controller?.currentMerged(),
    version: VERSION,
    startedAt: new Date(),
  });
  dataPlane = new DataPlane({ logger, ping: config.ping, metrics: config.metrics, accessLog, ...api });

  // The data plane opens its listeners before anything is streamed, so that /ping answers
  // and unmatched requests get a 404 rather than a refused connection; and an address
  // that cannot be bound stops the start, as in Traefik.
  await applyOrThrow(dataPlane, { version: 0, entryPoints, dynamic: undefined });

  const apply = async (input: ApplyInput): Promise<ApplyOutcome> => {
    const result = await dataPlane.apply(input);
    for (const error of result.errors) {
      logger.error(
        { version: input.version, applied: result.ok, code: error.code, resource: error.path },
        error.detail,
      );
    }
    return result;
  };
  const distribution = await startLocalDistribution({
    store,
    dataKey,
    nodeId: STANDALONE_NODE_ID,
    stateDir: config.stateDir,
    localEntryPoints: entryPoints,
    apply,
    log: logger,
  });
  election.start();
  logger.info({ entryPoints: Object.keys(entryPoints) }, 'started');

  // Log rotation: logrotate moves the file, then SIGUSR1 makes us write to a new one.
  const reopenAccessLog = (): void => {
    accessLog
      ?.reopen()
      .catch((error: unknown) => logger.error({ err: error }, 'reopening the access log failed'));
  };
  process.on('SIGUSR1', reopenAccessLog);

  return {
    async stop() {
      // Providers first (the election's end stops the controller's duty), then the stream,
      // then the listeners.
      await election.close();
      await gate.settled();
      await distribution.close();
      // Each entrypoint follows its own lifeCycle (requestAcceptGraceTimeout, then graceTimeOut).
      await dataPlane.close();
      await store.close();
      process.off('SIGUSR1', reopenAccessLog);
      await accessLog?.close();
    },
  };
}

async function applyOrThrow(dataPlane: DataPlane, input: ApplyInput): Promise<void> {
  const result = await dataPlane.apply(input);
  if (!result.ok) throw new AggregateError(result.errors, result.errors.map((e) => e.message).join('; '));
}
