import type { ConfigError } from '../config/errors.js';
import type { DynamicConfig } from '../config/dynamic/index.js';

/**
 * What a provider sends: its whole current configuration, never a diff, with the errors
 * met while building it. Names in `config` are the provider's own, unqualified.
 */
export interface ProviderMessage {
  readonly provider: string;
  readonly config: DynamicConfig;
  readonly errors: readonly ConfigError[];
}

export type Emit = (message: ProviderMessage) => void;

/**
 * A source of dynamic configuration (file, docker, swarm). `start` resolves once the first
 * message has been emitted; later messages follow whenever the source changes.
 */
export interface Provider {
  readonly name: string;
  start(emit: Emit): Promise<void>;
  stop(): Promise<void>;
}
