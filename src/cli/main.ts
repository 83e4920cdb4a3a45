#!/usr/bin/env node
import { Command } from 'commander';
import { adminCommands } from './admin-commands.js';
import { clusterCommands } from './cluster-commands.js';
import { standaloneCommand } from './standalone-command.js';
import { VERSION } from './version.js';

const program = new Command('switchyard')
  .description("Clustered reverse proxy for Docker Compose and Swarm that speaks Traefik's configuration")
  .version(VERSION);
program.addCommand(standaloneCommand());
for (const command of adminCommands()) program.addCommand(command);
for (const command of clusterCommands()) program.addCommand(command);
await program.parseAsync(process.argv);
