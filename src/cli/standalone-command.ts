import { Command } from 'commander';
import { loadStaticConfig } from '../config/static/index.js';
import { createLogger } from '../log/index.js';
import { stopOnSignals } from './node-flags.js';
import { startStandalone } from './standalone.js';

/**
 * `switchyard standalone --config FILE [--entryPoints.web.address=:80 ...]`: every option
 * after the command's own is a Traefik-style static flag, merged over the file and the
 * SWITCHYARD_* environment.
 */
export function standaloneCommand(): Command {
  return new Command('standalone')
    .description('one process with the control and data roles, the store embedded in its state directory')
    .option('-c, --config <file>', 'static configuration file (YAML or TOML)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (options: { config?: string }, command: Command) => {
      const loaded = loadStaticConfig({ file: options.config, argv: command.args });
      if (!loaded.ok) {
        for (const error of loaded.errors) process.stderr.write(`switchyard: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      const config = loaded.value;
      const logger = createLogger({ level: config.log.level, format: config.log.format });
      const node = await startStandalone(config, logger);
      stopOnSignals(() => node.stop(), logger);
    });
}
