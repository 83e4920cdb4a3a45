import type { ControllerDuty } from '../cluster/node/index.js';
import type { StaticConfig } from '../config/static/index.js';
import { controllerFromStatic, type Controller } from '../controller/index.js';
import type { Logger } from '../log/index.js';
import { createProviders, type Provider } from '../providers/index.js';

/** A controller's duty for one term, and the Controller it runs while it runs one. */
export interface ProvidersDuty extends ControllerDuty {
  readonly controller: Controller | undefined;
}

/**
 * What the elected controller runs, on a control node and in standalone alike: the
 * configured providers feeding a Controller, whose versions go to the ConfigWriter.
 */
export function controllerDuty(config: StaticConfig, log: Logger): ProvidersDuty {
  let controller: Controller | undefined;
  const providers: Provider[] = [];
  return {
    get controller() {
      return controller;
    },
    async start(publish, initialVersion) {
      controller = controllerFromStatic(config, log, initialVersion);
      controller.onConfig(publish);
      providers.push(...createProviders(config.providers));
      for (const provider of providers) await provider.start(controller.receive);
    },
    async stop() {
      await Promise.all(providers.splice(0).map((provider) => provider.stop()));
      controller?.close();
    },
  };
}
