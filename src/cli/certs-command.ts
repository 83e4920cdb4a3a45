import { Command, Option } from 'commander';
import { formatAcmeStatus, type AcmeStatus } from '../controller/acme/index.js';
import { call, run, withConnection, type ConnectionFlags } from './admin-commands.js';

// `switchyard certs`: the ACME certificates of the cluster, as the controller's ACME
// manager left them in the store, read through a control node's admin API (any control
// node answers: the records are in the replicated store). Same flags as list-nodes.

export function certsCommand(): Command {
  return withConnection(new Command('certs'))
    .description('list the ACME certificates: domains, resolver, issuer, expiry, state and the last error')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action(
      run(async (flags: ConnectionFlags & { output: 'table' | 'json' }) => {
        const res = await call(flags, { method: 'GET', path: '/api/acme/certificates' });
        const status = JSON.parse(res.body.toString('utf8')) as AcmeStatus;
        process.stdout.write(
          flags.output === 'json' ? `${JSON.stringify(status, null, 2)}\n` : formatAcmeStatus(status),
        );
      }),
    );
}
