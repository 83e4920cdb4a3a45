#!/usr/bin/env node
import { Command } from 'commander';
import { standaloneCommand } from './standalone-command.js';
import { VERSION } from './version.js';

const program = new Command('switchyard')
  .description("Clustered reverse proxy for Docker Compose and Swarm that speaks Traefik's configuration")
  .version(VERSION);
program.addCommand(standaloneCommand());
await program.parseAsync(process.argv);
