#!/usr/bin/env node
import { Command } from 'commander';
import { VERSION } from './version.js';

// Each command group is loaded only when one of its commands runs: a data-plane process
// (`standalone`) should not pay the memory of etcd, gRPC and express it never uses.
const GROUPS: readonly { names: readonly string[]; load: () => Promise<Command[]> }[] = [
  {
    names: ['standalone'],
    load: async () => [(await import('./standalone-command.js')).standaloneCommand()],
  },
  {
    names: ['bootstrap', 'start-control-node', 'recover', 'tokens', 'env'],
    load: async () => (await import('./cluster-commands.js')).clusterCommands(),
  },
  {
    names: ['list-nodes', 'remove-node', 'backup'],
    load: async () => (await import('./admin-commands.js')).adminCommands(),
  },
  {
    names: ['start-data-node'],
    load: async () => [(await import('./data-node-command.js')).dataNodeCommand()],
  },
  { names: ['certs'], load: async () => [(await import('./certs-command.js')).certsCommand()] },
  {
    names: ['apply'],
    load: async () => [(await import('./apply-command.js')).applyCommand()],
  },
];

const program = new Command('switchyard')
  .description("Clustered reverse proxy for Docker Compose and Swarm that speaks Traefik's configuration")
  .version(VERSION);
const wanted = process.argv[2];
const groups = GROUPS.filter((group) => wanted === undefined || group.names.includes(wanted));
for (const group of groups.length > 0 ? groups : GROUPS) {
  for (const command of await group.load()) program.addCommand(command);
}
await program.parseAsync(process.argv);
