import { Command } from 'commander';
import { entryPointsDocument } from '../api/admin/index.js';
import { loadStaticConfig } from '../config/static/index.js';
import { call, CommandFailure, run, withConnection, type ConnectionFlags } from './admin-commands.js';

// `switchyard apply --file static.yml`, after Traefik Enterprise's `teectl apply`: deploys
// the data-plane part of a static configuration to every data node through the
// controller. Today that part is the entrypoints: data nodes open and close listeners to
// match, without a restart. Ping, metrics, the access log and the log stay each node's own
// flags (they belong to its process); providers belong to control nodes. The file is
// checked here first, with the loader every node uses, so a mistake is reported with the
// file and the key before anything is sent.

interface ApplyFlags extends ConnectionFlags {
  readonly file: string;
  readonly wait: string;
}

interface Applied {
  readonly key: string;
  readonly revision: number;
}

interface Reach {
  readonly reached: boolean;
  readonly missing: readonly string[];
}

export function applyCommand(): Command {
  return withConnection(new Command('apply'))
    .description("deploy a static configuration's entrypoints to every data node")
    .requiredOption('-f, --file <file>', 'static configuration file (YAML or TOML)')
    .option('--wait <seconds>', 'wait until every attached data node serves the change (at most 60)', '0')
    .action(
      run(async (flags: ApplyFlags) => {
        const wait = Number(flags.wait);
        if (!Number.isFinite(wait) || wait < 0)
          throw new CommandFailure(
            `--wait: must be a number of seconds, got ${JSON.stringify(flags.wait)}`,
            2,
          );
        // Only the file: the admin's own SWITCHYARD_* environment is not the cluster's.
        const loaded = loadStaticConfig({ file: flags.file, env: {} });
        if (!loaded.ok)
          throw new CommandFailure(loaded.errors.map((e) => e.message).join('\nswitchyard: '), 2);
        const entryPoints = Object.keys(loaded.value.entryPoints);
        const res = await call(flags, {
          method: 'PUT',
          path: '/api/config/static/entrypoints',
          body: entryPointsDocument(loaded.value.entryPoints),
        });
        const applied = JSON.parse(res.body.toString('utf8')) as Applied;
        process.stdout.write(
          `applied entryPoints ${entryPoints.join(', ')} at revision ${applied.revision}\n`,
        );
        if (wait === 0) return;
        const reach = await call(flags, {
          method: 'GET',
          path: `/api/distribution/revisions/${applied.revision}?wait=${wait}`,
          timeoutMs: wait * 1000 + 10_000,
        });
        const answer = JSON.parse(reach.body.toString('utf8')) as Reach;
        if (!answer.reached) {
          throw new CommandFailure(
            `revision ${applied.revision} has not reached ${answer.missing.join(', ')} yet`,
            1,
          );
        }
        process.stdout.write(`every attached data node serves revision ${applied.revision}\n`);
      }),
    );
}
