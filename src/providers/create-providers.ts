import type { StaticConfig } from '../config/static/index.js';
import { DockerProvider } from './docker/index.js';
import { FileProvider } from './file/index.js';
import type { Provider } from './provider.js';
import { SwarmProvider } from './swarm/index.js';

/** The providers the static configuration turns on, in Traefik's order: file, docker, swarm. */
export function createProviders(config: StaticConfig['providers']): Provider[] {
  const providers: Provider[] = [];
  if (config.file) providers.push(new FileProvider(config.file));
  if (config.docker) providers.push(new DockerProvider(config.docker));
  if (config.swarm) providers.push(new SwarmProvider(config.swarm));
  return providers;
}
