import type { ControllerDuty } from '../cluster/node/index.js';
import type { StaticConfig } from '../config/static/index.js';
import { controllerFromStatic, type Controller } from '../controller/index.js';
import { waitForRevision } from '../distribution/index.js';
import type { Logger } from '../log/index.js';
import { createProviders, type Provider } from '../providers/index.js';

/** A controller's duty for one term, and the Controller it runs while it runs one. */
export interface ProvidersDuty extends ControllerDuty {
  readonly controller: Controller | undefined;
}

/** How long the ACME manager waits for a challenge answer to reach every data node. */
const CHALLENGE_REACH_TIMEOUT_MS = 30_000;

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * What the elected controller runs, on a control node and in standalone alike: the
 * configured providers feeding a Controller, whose versions go to the ConfigWriter, and
 * the ACME manager when certificate resolvers are configured.
 */
export function controllerDuty(config: StaticConfig, log: Logger): ProvidersDuty {
  let controller: Controller | undefined;
  let acme: Stoppable | undefined;
  const providers: Provider[] = [];
  return {
    get controller() {
      return controller;
    },
    async start(publish, initialVersion, { store, election, term, dataKey }) {
      controller = controllerFromStatic(config, log, initialVersion);
      controller.onConfig(publish);
      providers.push(...createProviders(config.providers));
      for (const provider of providers) await provider.start(controller.receive);
      if (Object.keys(config.certificatesResolvers).length === 0) return;
      // acme-client is large: loaded only where ACME is configured.
      const { AcmeManager } = await import('../controller/acme/index.js');
      const manager = new AcmeManager({
        store,
        election,
        term,
        dataKey,
        resolvers: config.certificatesResolvers,
        entryPoints: config.entryPoints,
        log,
        waitForRevision: (revision) =>
          waitForRevision(store, revision, { timeoutMs: CHALLENGE_REACH_TIMEOUT_MS }),
      });
      acme = manager;
      await manager.start();
    },
    async stop() {
      const stopping = acme;
      acme = undefined;
      await stopping?.stop();
      await Promise.all(providers.splice(0).map((provider) => provider.stop()));
      controller?.close();
    },
  };
}
