import { Command, Option } from 'commander';
import {
  callAdminApi,
  DEFAULT_API_ADDRESS,
  describeFailure,
  formatNodesTable,
  parseApiAddress,
  viewWarnings,
  type AdminRequest,
  type AdminResponse,
  type ClusterView,
} from '../api/admin/index.js';
import { decodeArchive, writeArchiveFile } from '../cluster/backup/index.js';
import { readCredentials } from '../cluster/pki/index.js';

// `switchyard list-nodes`, `remove-node` and `backup`: clients of a control node's admin
// API, with the admin credentials bootstrap wrote. The flags are Traefik Enterprise's
// (`--mtlscertsdir`, `--apiaddress`), so its runbooks carry over.

/** Where bootstrap writes the admin credentials unless told otherwise (--mtlscertsoutputdir). */
export const DEFAULT_MTLS_CERTS_DIR = './.switchyard-admin';

export interface ConnectionFlags {
  readonly mtlscertsdir: string;
  readonly apiaddress: string;
}

export const withConnection = (command: Command): Command =>
  command
    .option(
      '--mtlscertsdir <dir>',
      'directory holding the admin ca.pem, cert.pem and key.pem',
      DEFAULT_MTLS_CERTS_DIR,
    )
    .option(
      '--apiaddress <address>',
      'admin API of a control node: host:port or https URL',
      DEFAULT_API_ADDRESS,
    );

/** Thrown for failures already worth a message of their own; the exit code says which kind. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export async function call(
  flags: ConnectionFlags,
  request: Omit<AdminRequest, 'api' | 'credentials'>,
): Promise<AdminResponse> {
  const api = parseApiAddress(flags.apiaddress);
  if (!api.ok) throw new CommandFailure(api.error.message, 2);
  const credentials = await readCredentials(flags.mtlscertsdir);
  if (!credentials.ok) throw new CommandFailure(`admin credentials: ${credentials.error.message}`, 2);
  let res: AdminResponse;
  try {
    res = await callAdminApi({ ...request, api: api.value, credentials: credentials.value });
  } catch (err) {
    throw new CommandFailure(`cannot reach the admin API at ${api.value.host}: ${(err as Error).message}`, 1);
  }
  if (res.status >= 400) throw new CommandFailure(describeFailure(res), 1);
  return res;
}

/** Runs an action, turning failures into a message on stderr and an exit code. */
export const run =
  <A extends unknown[]>(action: (...args: A) => Promise<void>) =>
  async (...args: A): Promise<void> => {
    try {
      await action(...args);
    } catch (err) {
      process.stderr.write(`switchyard: ${(err as Error).message}\n`);
      process.exitCode = err instanceof CommandFailure ? err.exitCode : 1;
    }
  };

function listNodesCommand(): Command {
  return withConnection(new Command('list-nodes'))
    .description('list the nodes of the cluster, with their role, status and applied configuration')
    .option('--details', 'show etcd membership, availability, versions and addresses')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action(
      run(async (flags: ConnectionFlags & { details?: boolean; output: 'table' | 'json' }) => {
        const res = await call(flags, { method: 'GET', path: '/api/cluster/nodes' });
        const view = JSON.parse(res.body.toString('utf8')) as ClusterView;
        if (flags.output === 'json') {
          process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
          return;
        }
        for (const warning of viewWarnings(view)) process.stderr.write(`WARNING: ${warning}\n`);
        process.stdout.write(formatNodesTable(view, flags.details === true));
      }),
    );
}

function removeNodeCommand(): Command {
  return withConnection(new Command('remove-node'))
    .description('remove a node: its etcd membership, its place in the node list, and its certificates')
    .argument('<node>', 'node name (or etcd member id)')
    .option('--force', 'remove the node even though it is up')
    .action(
      run(async (node: string, flags: ConnectionFlags & { force?: boolean }) => {
        const query = flags.force === true ? '?force=true' : '';
        await call(flags, {
          method: 'DELETE',
          path: `/api/cluster/nodes/${encodeURIComponent(node)}${query}`,
        });
        process.stdout.write(`removed ${node}\n`);
      }),
    );
}

function backupCommand(): Command {
  return withConnection(new Command('backup'))
    .description(
      'write an archive of the whole store (configuration, certificates, ACME account, cluster CA)',
    )
    .requiredOption('--archivepath <file>', 'where to write the archive')
    .action(
      run(async (flags: ConnectionFlags & { archivepath: string }) => {
        const res = await call(flags, { method: 'GET', path: '/api/cluster/backup', timeoutMs: 300_000 });
        // Checked before it is written: a backup that would not restore is worse than none.
        const archive = decodeArchive(res.body);
        if (!archive.ok)
          throw new CommandFailure(`the server sent a bad archive: ${archive.error.message}`, 1);
        await writeArchiveFile(flags.archivepath, res.body);
        const m = archive.value.manifest;
        process.stdout.write(
          `backup of cluster ${m.clusterId} at revision ${m.revision}: ${m.keyCount} keys, sha256 ${m.sha256}, written to ${flags.archivepath}\n`,
        );
      }),
    );
}

export const adminCommands = (): Command[] => [listNodesCommand(), removeNodeCommand(), backupCommand()];
