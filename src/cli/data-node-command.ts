import { isIP } from 'node:net';
import { Command, Option } from 'commander';
import { DEFAULT_GOSSIP_PORT } from '../cluster/gossip/index.js';
import { NodeError } from '../cluster/node/index.js';
import { loadStaticConfig } from '../config/static/index.js';
import { createLogger } from '../log/index.js';
import { startDataNode } from './data-node.js';
import { joinAsData, readTokenFile } from './data-node-join.js';
import { readDataNodeState, writeDataNodeState, type StoredDataNode } from './data-node-state.js';
import { advertiseAddress, defaultNodeId, fatal, positive, stopOnSignals } from './node-flags.js';
import type { Logger } from '../log/index.js';

// `switchyard start-data-node`, after Traefik Enterprise's `traefikee proxy`: joins with the
// data token once, keeps its credentials in its state directory, and from then on restarts
// without one. Every option it does not know is a Traefik-style static flag (entryPoints,
// ping, metrics, accessLog, log), as for `standalone`. See docs/distribution.md.

interface DataNodeFlags {
  config?: string;
  statedir?: string;
  nodeid?: string;
  token?: string;
  tokenfile?: string;
  peeraddresses?: string;
  advertise?: string;
  listen: string;
  gossipport: string;
  timeout: string;
}

export function dataNodeCommand(): Command {
  return new Command('start-data-node')
    .description('join a cluster as a data node and serve the configuration its control nodes stream')
    .option(
      '-c, --config <file>',
      'static configuration file (YAML or TOML): entryPoints, ping, metrics, log',
    )
    .option('--statedir <dir>', 'state directory (default: the static stateDir, ./.switchyard)')
    .option('--nodeid <id>', 'node id, a lower-case DNS name (default: the host name)')
    .addOption(new Option('--token <token>', 'data node join token').env('DATA_NODE_TOKEN'))
    .option(
      '--tokenfile <path>',
      'read the token from this file (a bare token or a DATA_NODE_TOKEN=... line), waiting for it up to --timeout',
    )
    .option('--peeraddresses <list>', 'control nodes to join through: host[:port],... (DNS names allowed)')
    .option('--advertise <address>', 'address other nodes reach this one at (default: first private IPv4)')
    .option('--listen <address>', 'address the gossip port listens on', '0.0.0.0')
    .option('--gossipport <port>', 'gossip port (UDP and TCP)', String(DEFAULT_GOSSIP_PORT))
    .option(
      '--timeout <seconds>',
      'how long to wait for the token file and for a control node to answer the join',
      '300',
    )
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (flags: DataNodeFlags, command: Command) => {
      const loaded = loadStaticConfig({ file: flags.config, argv: command.args });
      if (!loaded.ok) {
        for (const error of loaded.errors) process.stderr.write(`switchyard: ${error.message}\n`);
        process.exit(2);
      }
      const config = loaded.value;
      const log = createLogger({ level: config.log.level, format: config.log.format });
      if (isIP(flags.listen) === 0) badFlag('--listen', 'must be an IP address');
      const gossipPort = Number(flags.gossipport);
      if (!Number.isInteger(gossipPort) || gossipPort < 0 || gossipPort > 65_535)
        badFlag('--gossipport', 'must be a port number');
      const stateDir = flags.statedir ?? config.stateDir;
      const deadline = Date.now() + positive(flags.timeout, '--timeout') * 1000;
      const stored = await credentialsFor(flags, stateDir, deadline, log).catch(fatal);
      const node = await startDataNode({
        config,
        deadline,
        stateDir,
        stored,
        peers: peerList(flags),
        network: {
          listen: flags.listen,
          advertise: await advertiseAddress(flags.advertise, flags.listen),
          gossipPort,
        },
        log,
      }).catch(fatal);
      stopOnSignals(() => node.stop(), log);
    });
}

/** The node's credentials: from its state directory, or by joining with the token. */
async function credentialsFor(
  flags: DataNodeFlags,
  stateDir: string,
  deadline: number,
  log: Logger,
): Promise<StoredDataNode> {
  const found = await readDataNodeState(stateDir);
  if (found !== undefined) {
    log.info(
      { clusterId: found.state.clusterId, nodeId: found.state.nodeId },
      'found data node state: restarting',
    );
    return found;
  }
  const token =
    flags.token ??
    (flags.tokenfile === undefined ? undefined : await readTokenFile(flags.tokenfile, deadline, log));
  const peers = peerList(flags);
  if (token === undefined || peers.length === 0) {
    throw new NodeError(
      'NODE_NO_CLUSTER',
      stateDir,
      'holds no data node state: give --token (or --tokenfile) and --peeraddresses to join a cluster',
    );
  }
  const nodeId = flags.nodeid ?? defaultNodeId();
  log.info({ nodeId, peers }, 'joining as a data node');
  const joined = await joinAsData({ nodeId, token, peers, deadline, log });
  await writeDataNodeState(stateDir, joined);
  log.info({ clusterId: joined.state.clusterId, nodeId }, 'joined the cluster');
  return joined;
}

const peerList = (flags: DataNodeFlags): string[] =>
  (flags.peeraddresses ?? '').split(',').filter((p) => p.trim() !== '');

function badFlag(flag: string, message: string): never {
  process.stderr.write(`switchyard: ${flag}: ${message}\n`);
  process.exit(2);
}
