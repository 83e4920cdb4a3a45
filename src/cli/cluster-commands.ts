import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { DEFAULT_ADMIN_PORT } from '../api/admin/index.js';
import { DEFAULT_GOSSIP_PORT } from '../cluster/gossip/index.js';
import {
  bootstrapCluster,
  ControlNodeNetwork,
  DATA_KEY_FILE,
  handOver,
  openStateStore,
  readDataKeyFile,
  readTokens,
  recoverControlNode,
  rotateTokens,
  startControlNode,
  writeTokensFile,
  type ClusterTokens,
  type ControlNode,
  type NodeStartOptions,
} from '../cluster/node/index.js';
import { loadStaticConfig } from '../config/static/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { startAdminApi } from './control-admin-api.js';
import { startDistribution } from './control-distribution.js';
import { controllerDuty } from './controller-duty.js';
import { advertiseAddress, defaultNodeId, fatal, positive, report, stopOnSignals } from './node-flags.js';
import { VERSION } from './version.js';

// The cluster commands, after Traefik Enterprise's: `bootstrap` creates a cluster,
// `start-control-node` joins one (or forms one with --bootstrap-expect), `tokens` and `env`
// show the join tokens. The node's own settings are options of these commands; every
// option they do not know is a Traefik-style static flag (providers, entryPoints, log), as
// for `standalone`. See docs/cluster.md.

interface NodeFlags {
  config?: string;
  statedir?: string;
  nodeid?: string;
  advertise?: string;
  listen: string;
  joinport: string;
  gossipport: string;
  etcdclientport: string;
  etcdpeerport: string;
  etcdbinary: string;
  distributionport: string;
  adminport: string;
  tokensfile?: string;
  clusterid?: string;
  timeout: string;
}

interface BootstrapFlags extends NodeFlags {
  controlnodes: string;
  mtlscertsoutputdir: string;
  archivepath?: string;
  datakeyfile?: string;
}

interface StartFlags extends NodeFlags {
  mtlscertsoutputdir?: string;
  peeraddresses?: string;
  token?: string;
  bootstrapExpect?: string;
  bootstrapToken?: string;
}

/** Every cluster command, for main.ts. */
export function clusterCommands(): Command[] {
  return [bootstrapCommand(), startControlNodeCommand(), recoverCommand(), tokensCommand(), envCommand()];
}

function withNodeOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'static configuration file (YAML or TOML): providers, entryPoints, log')
    .option('--statedir <dir>', 'state directory (default: the static stateDir, ./.switchyard)')
    .option('--nodeid <id>', 'node id, a lower-case DNS name (default: the host name)')
    .option('--advertise <address>', 'address other nodes reach this one at (default: first private IPv4)')
    .option('--listen <address>', 'address to listen on', '0.0.0.0')
    .option('--joinport <port>', 'join and bootstrap-expect port (HTTPS)', '4242')
    .option('--gossipport <port>', 'gossip port (UDP and TCP)', String(DEFAULT_GOSSIP_PORT))
    .option('--etcdclientport <port>', "the etcd member's client port", '2379')
    .option('--etcdpeerport <port>', "the etcd member's peer port", '2380')
    .option('--etcdbinary <path>', 'etcd binary', 'etcd')
    .option('--distributionport <port>', 'where data nodes stream their configuration from', '4243')
    .option(
      '--adminport <port>',
      'admin API port (mutual TLS, admin credentials)',
      String(DEFAULT_ADMIN_PORT),
    )
    .option(
      '--tokensfile <path>',
      'once the cluster is formed, write CONTROL_NODE_TOKEN and DATA_NODE_TOKEN here',
    )
    .option('--clusterid <id>', 'id of a cluster this node creates (default: generated)')
    .option('--timeout <seconds>', 'how long to wait for the other control nodes', '300')
    .allowUnknownOption()
    .allowExcessArguments();
}

function bootstrapCommand(): Command {
  return withNodeOptions(
    new Command('bootstrap')
      .description('create a cluster: CA, keys, join tokens and admin credentials')
      .option('--controlnodes <n>', 'control nodes to wait for before this node leaves (1: it stays)', '1')
      .option(
        '--mtlscertsoutputdir <dir>',
        'where the admin credentials and a copy of the data key are written',
        './.switchyard-admin',
      )
      .option('--archivepath <file>', 'start the cluster from this backup archive (switchyard backup)')
      .option(
        '--datakeyfile <file>',
        "with --archivepath: the backed-up cluster's data key (default: data-key in --mtlscertsoutputdir)",
      ),
  ).action(async (flags: BootstrapFlags, command: Command) => {
    const setup = await nodeSetup(flags, command.args);
    const controlNodes = positive(flags.controlnodes, '--controlnodes');
    const result = await bootstrapCluster({
      ...setup.start,
      adminDir: flags.mtlscertsoutputdir,
      ...(flags.clusterid === undefined ? {} : { clusterId: flags.clusterid }),
      ...(flags.archivepath === undefined ? {} : { restore: await restoreSource(flags, flags.archivepath) }),
    }).catch(fatal);
    const { node, tokens } = result;
    const stop = stopOnSignal(node, setup.log, await serveNode(node, flags, setup.log));
    if (tokens !== undefined) printTokens(tokens, 'text');
    setup.log.info({ how: result.how, clusterId: node.membership.state.clusterId }, 'bootstrap node ready');
    if (controlNodes <= 1) return;
    try {
      await handOver(node, setup.start.stateDir, controlNodes, setup.timeoutMs, setup.log);
      setup.log.info('bootstrap done');
      process.exit(0);
    } catch (err) {
      if (stop.stopping()) return;
      report(err);
      await node.stop();
      process.exit(1);
    }
  });
}

function startControlNodeCommand(): Command {
  return withNodeOptions(
    new Command('start-control-node')
      .description('join a cluster as a control node, or form one with --bootstrap-expect')
      .option('--peeraddresses <list>', 'control nodes to join through: host[:port],... (DNS names allowed)')
      .addOption(new Option('--token <token>', 'control node join token').env('SWITCHYARD_TOKEN'))
      .option('--bootstrap-expect <n>', 'form a new cluster once this many control nodes see each other')
      .addOption(
        new Option('--bootstrap-token <secret>', 'secret shared by the nodes that form the cluster').env(
          'SWITCHYARD_BOOTSTRAP_TOKEN',
        ),
      )
      .option(
        '--mtlscertsoutputdir <dir>',
        'with --bootstrap-expect: where the node that creates the cluster writes the admin credentials and data key',
      ),
  ).action(async (flags: StartFlags, command: Command) => {
    const setup = await nodeSetup(flags, command.args);
    const aborter = new AbortController();
    const early = (): void => aborter.abort();
    process.once('SIGTERM', early).once('SIGINT', early);
    const started = await startControlNode({
      ...setup.start,
      peers: (flags.peeraddresses ?? '').split(',').filter((p) => p.trim() !== ''),
      timeoutMs: setup.timeoutMs,
      signal: aborter.signal,
      ...(flags.token === undefined ? {} : { token: flags.token }),
      ...(flags.bootstrapExpect === undefined
        ? {}
        : { bootstrapExpect: positive(flags.bootstrapExpect, '--bootstrap-expect') }),
      ...(flags.bootstrapToken === undefined ? {} : { bootstrapToken: flags.bootstrapToken }),
      ...(flags.clusterid === undefined ? {} : { clusterId: flags.clusterid }),
      ...(flags.mtlscertsoutputdir === undefined ? {} : { adminDir: flags.mtlscertsoutputdir }),
    }).catch((err: unknown) => (aborter.signal.aborted ? process.exit(0) : fatal(err)));
    process.off('SIGTERM', early).off('SIGINT', early);
    const { node, how } = started;
    stopOnSignal(node, setup.log, await serveNode(node, flags, setup.log));
    // A signal that came while the node was joining stops it now that it can be stopped.
    if (aborter.signal.aborted) process.kill(process.pid, 'SIGTERM');
    setup.log.info(
      { how, clusterId: node.membership.state.clusterId, startupMs: Math.round(performance.now()) },
      'control node ready',
    );
  });
}

function recoverCommand(): Command {
  return withNodeOptions(
    new Command('recover').description(
      'rebuild a cluster that lost quorum for good around this surviving control node (its state directory)',
    ),
  ).action(async (flags: NodeFlags, command: Command) => {
    const setup = await nodeSetup(flags, command.args);
    const { node, how } = await recoverControlNode(setup.start).catch(fatal);
    stopOnSignal(node, setup.log, await serveNode(node, flags, setup.log));
    setup.log.info(
      {
        how,
        clusterId: node.membership.state.clusterId,
        next: 'the cluster is this node alone: wipe the state of the other control nodes and join them again',
      },
      'control node ready',
    );
  });
}

/** The archive and the data key of a restoring bootstrap, read before anything starts. */
async function restoreSource(
  flags: BootstrapFlags,
  archivePath: string,
): Promise<{ archive: Uint8Array; dataKeys: readonly string[] }> {
  const archive = await readFile(archivePath).catch((err: Error) =>
    fatal(new Error(`--archivepath: ${err.message}`)),
  );
  const dataKeys = await readDataKeyFile(
    flags.datakeyfile ?? join(flags.mtlscertsoutputdir, DATA_KEY_FILE),
  ).catch(fatal);
  return { archive: new Uint8Array(archive), dataKeys };
}

/**
 * What a running control node serves besides the cluster itself: the distribution to data
 * nodes and the admin API, returned in the order they close on shutdown; and the tokens
 * file, rewritten whenever the tokens are rotated.
 */
async function serveNode(
  node: ControlNode,
  flags: NodeFlags,
  log: Logger,
): Promise<{ close(): Promise<void> }[]> {
  const distribution = await startDistribution(
    node,
    positive(flags.distributionport, '--distributionport'),
    log,
  ).catch(fatal);
  const admin = await startAdminApi(node, positive(flags.adminport, '--adminport'), log).catch(fatal);
  const path = flags.tokensfile;
  if (path !== undefined) {
    const write = async (): Promise<void> => {
      try {
        await writeTokensFile(path, await node.tokens());
        log.info({ path }, 'tokens file written');
      } catch (err) {
        log.error({ err, path }, 'cannot write the tokens file');
      }
    };
    await write();
    node.onTokensChanged(() => void write());
  }
  return [distribution, admin];
}

function tokensCommand(): Command {
  return new Command('tokens')
    .description("print the cluster's control and data join tokens (on a running control node's host)")
    .option('--statedir <dir>', "the control node's state directory", './.switchyard')
    .addOption(
      new Option('--rotate <role>', 'issue new tokens first; the old ones stop working').choices([
        'control',
        'data',
        'all',
      ]),
    )
    .option('--grace <seconds>', 'how long rotated tokens keep working', '0')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: { statedir: string; rotate?: string; grace: string; output: 'text' | 'json' }) => {
      const tokens = await currentTokens(flags.statedir, flags.rotate, Number(flags.grace) * 1000);
      printTokens(tokens, flags.output);
    });
}

function envCommand(): Command {
  return new Command('env')
    .description('print CONTROL_NODE_TOKEN and DATA_NODE_TOKEN as shell variables')
    .option('--statedir <dir>', "the control node's state directory", './.switchyard')
    .action(async (flags: { statedir: string }) => {
      const tokens = await currentTokens(flags.statedir, undefined, 0);
      process.stdout.write(
        `export CONTROL_NODE_TOKEN="${tokens.control}"\nexport DATA_NODE_TOKEN="${tokens.data}"\n`,
      );
    });
}

async function currentTokens(
  stateDir: string,
  rotate: string | undefined,
  graceMs: number,
): Promise<ClusterTokens> {
  const { store, dataKey, credentials } = await openStateStore(stateDir).catch(fatal);
  try {
    if (rotate !== undefined) {
      const roles =
        rotate === 'all' ? (['control', 'data'] as const) : ([rotate as 'control' | 'data'] as const);
      await rotateTokens(store, dataKey, credentials.caPem, roles, { graceMs });
    }
    return await readTokens(store, dataKey);
  } catch (err) {
    return fatal(err);
  } finally {
    await store.close();
  }
}

function printTokens(tokens: ClusterTokens, format: 'text' | 'json'): void {
  process.stdout.write(
    format === 'json'
      ? `${JSON.stringify(tokens)}\n`
      : `control node token: ${tokens.control}\ndata node token:    ${tokens.data}\n`,
  );
}

interface NodeSetup {
  readonly start: NodeStartOptions;
  readonly log: Logger;
  readonly timeoutMs: number;
}

/** The static configuration (for the controller's duty) and the node's network settings. */
async function nodeSetup(flags: NodeFlags, staticArgs: readonly string[]): Promise<NodeSetup> {
  const loaded = loadStaticConfig({ file: flags.config, argv: staticArgs });
  if (!loaded.ok) {
    for (const error of loaded.errors) process.stderr.write(`switchyard: ${error.message}\n`);
    process.exit(2);
  }
  const config = loaded.value;
  const log = createLogger({ level: config.log.level, format: config.log.format });
  const advertise = await advertiseAddress(flags.advertise, flags.listen);
  const network = ControlNodeNetwork.safeParse({
    nodeId: flags.nodeid ?? defaultNodeId(),
    advertise,
    listen: flags.listen,
    joinPort: flags.joinport,
    gossipPort: flags.gossipport,
    etcdClientPort: flags.etcdclientport,
    etcdPeerPort: flags.etcdpeerport,
    etcdBinary: flags.etcdbinary,
  });
  if (!network.success) {
    for (const issue of network.error.issues)
      process.stderr.write(`switchyard: ${issue.path.join('.')}: ${issue.message}\n`);
    process.exit(2);
  }
  return {
    log,
    timeoutMs: positive(flags.timeout, '--timeout') * 1000,
    start: {
      stateDir: flags.statedir ?? config.stateDir,
      network: network.data,
      duty: () => controllerDuty(config, log),
      version: VERSION,
      log,
    },
  };
}

/** Stops the node on SIGTERM or SIGINT, after the `services` it runs (closed in order). */
function stopOnSignal(
  node: ControlNode,
  log: Logger,
  services: readonly { close(): Promise<void> }[] = [],
): { stopping: () => boolean } {
  node.onFailure(() => process.exit(1));
  return stopOnSignals(async () => {
    for (const service of services) await service.close();
    await node.stop();
  }, log);
}
