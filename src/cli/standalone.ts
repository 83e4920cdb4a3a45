import { mkdir } from 'node:fs/promises';
import type { StaticConfig } from '../config/static/index.js';
import { controllerFromStatic } from '../controller/index.js';
import { apiInternals } from '../api/index.js';
import { AccessLog, DataPlane } from '../dataplane/index.js';
import type { Logger } from '../log/index.js';
import { createProviders } from '../providers/index.js';
import { VERSION } from './version.js';

export interface StandaloneNode {
  stop(): Promise<void>;
}

/**
 * The whole standalone wiring, in one place: providers feed the controller, and every
 * version the controller publishes is applied by the data plane. The cluster work puts
 * the distribution protocol between those two; nothing else here changes.
 */
export async function startStandalone(config: StaticConfig, logger: Logger): Promise<StandaloneNode> {
  await mkdir(config.stateDir, { recursive: true });
  const entryPoints = config.entryPoints;
  // Traefik refuses to start when the access log cannot be opened; so does open().
  const accessLog = config.accessLog ? await AccessLog.open(config.accessLog, { logger }) : undefined;
  const controller = controllerFromStatic(config, logger);
  let dataPlane: DataPlane | undefined = undefined;
  const api = apiInternals({
    static: config,
    controller,
    dataPlane: () => dataPlane,
    merged: () => controller.currentMerged(),
    version: VERSION,
    startedAt: new Date(),
  });
  dataPlane = new DataPlane({ logger, ping: config.ping, metrics: config.metrics, accessLog, ...api });

  // The data plane opens its listeners before the first provider message, so that
  // /ping answers and unmatched requests get a 404 rather than a refused connection.
  await applyOrThrow(dataPlane, { version: 0, entryPoints, dynamic: undefined });

  let applying = Promise.resolve();
  controller.onConfig(({ version, config: dynamic }) => {
    applying = applying.then(async () => {
      const result = await dataPlane.apply({ version, entryPoints, dynamic });
      for (const error of result.errors) {
        logger.error({ version, applied: result.ok, code: error.code, resource: error.path }, error.detail);
      }
    });
  });

  const providers = createProviders(config.providers);
  for (const provider of providers) await provider.start(controller.receive);
  logger.info({ entryPoints: Object.keys(entryPoints), providers: providers.map((p) => p.name) }, 'started');

  // Log rotation: logrotate moves the file, then SIGUSR1 makes us write to a new one.
  const reopenAccessLog = (): void => {
    accessLog
      ?.reopen()
      .catch((error: unknown) => logger.error({ err: error }, 'reopening the access log failed'));
  };
  process.on('SIGUSR1', reopenAccessLog);

  return {
    async stop() {
      await Promise.all(providers.map((provider) => provider.stop()));
      controller.close();
      await applying;
      // Each entrypoint follows its own lifeCycle (requestAcceptGraceTimeout, then graceTimeOut).
      await dataPlane.close();
      process.off('SIGUSR1', reopenAccessLog);
      await accessLog?.close();
    },
  };
}

async function applyOrThrow(dataPlane: DataPlane, input: Parameters<DataPlane['apply']>[0]): Promise<void> {
  const result = await dataPlane.apply(input);
  if (!result.ok) throw new AggregateError(result.errors, result.errors.map((e) => e.message).join('; '));
}
