import type { ConfigError } from '../config/errors.js';
import type { DynamicConfig } from '../config/dynamic/index.js';
import { stableStringify, type ProviderMessage } from '../providers/index.js';
import { INTERNAL_PROVIDER, internalConfig } from './internal.js';
import { mergeProviders } from './merge-providers.js';
import {
  idleThrottle,
  throttleLimits,
  throttleMessage,
  throttleWindowEnd,
  type ThrottleLimits,
  type ThrottleState,
  type ThrottleStep,
} from './throttle.js';
import { validateConfig, type ValidationContext } from './validate-config.js';

/** Traefik's `providers.providersThrottleDuration` default. */
export const DEFAULT_PROVIDERS_THROTTLE_MS = 2000;

export interface ControllerOptions extends ValidationContext {
  /**
   * The longest a provider's message waits behind the previous one (see throttle.ts): the
   * newest waiting one wins. 0 applies every message at once.
   */
  readonly providersThrottleDuration?: number;
  /** The internal provider's configuration (see internalConfig); the built-in one unless given. */
  readonly internal?: DynamicConfig;
  /** The version before the first one published, so that a new controller continues a sequence. */
  readonly initialVersion?: number;
}

/** A merged, validated configuration. Listeners share it: treat it as read-only. */
export interface PublishedConfig {
  readonly version: number;
  readonly config: DynamicConfig;
  readonly errors: readonly ConfigError[];
}

export type ConfigListener = (published: PublishedConfig) => void;
export type ErrorsListener = (errors: readonly ConfigError[]) => void;

interface Throttled {
  state: ThrottleState;
  timer: NodeJS.Timeout | undefined;
  /** The newest message that arrived during the open window. */
  waiting: ProviderMessage | undefined;
}

/**
 * The stateful shell around mergeProviders and validateConfig, shaped after Traefik's
 * configuration watcher: it keeps the latest message of each provider, skips a message
 * equal to that provider's previous one, throttles each provider (a change after a quiet
 * window is applied at once; those within a window wait for its end, the newest wins, and
 * the window grows while they keep coming: see throttle.ts), and
 * publishes a new version only when the merged configuration changed. Errors (those of
 * the providers, the merge and the validation) are kept current even when they alone
 * changed: see currentErrors() and onErrors(). A published version carries the errors
 * current when it was published.
 */
export class Controller {
  readonly #options: ControllerOptions;
  readonly #limits: ThrottleLimits;
  readonly #latest = new Map<string, ProviderMessage>();
  readonly #received = new Map<string, string>();
  readonly #throttled = new Map<string, Throttled>();
  readonly #listeners = new Set<ConfigListener>();
  readonly #errorListeners = new Set<ErrorsListener>();
  #version: number;
  #published: PublishedConfig | undefined;
  #publishedKey = '';
  #errors: readonly ConfigError[] = [];
  #merged: DynamicConfig | undefined;
  #errorsKey = stableStringify([]);
  #closed = false;

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.#limits = throttleLimits(options.providersThrottleDuration ?? DEFAULT_PROVIDERS_THROTTLE_MS);
    this.#version = options.initialVersion ?? 0;
  }

  /** Calls `listener` with every version published from now on; returns the unsubscribe function. */
  onConfig(listener: ConfigListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Calls `listener` whenever the current errors change, including when they alone change
   * (a file that stops parsing leaves the configuration as it was); before onConfig
   * listeners when both change. Returns the unsubscribe function.
   */
  onErrors(listener: ErrorsListener): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  /** Takes a provider's message; bound, so that it can be handed to Provider.start as is. */
  readonly receive = (message: ProviderMessage): void => {
    if (this.#closed) return;
    if (message.provider === INTERNAL_PROVIDER) {
      throw new Error(`provider name "${INTERNAL_PROVIDER}" is reserved for built-in resources`);
    }
    const key = stableStringify({ config: message.config, errors: message.errors });
    if (this.#received.get(message.provider) === key) return;
    this.#received.set(message.provider, key);
    let throttled = this.#throttled.get(message.provider);
    if (!throttled) {
      throttled = { state: idleThrottle(this.#limits), timer: undefined, waiting: undefined };
      this.#throttled.set(message.provider, throttled);
    }
    throttled.waiting = message;
    this.#step(throttled, throttleMessage(throttled.state, this.#limits));
  };

  /** The last published version, if any. */
  current(): PublishedConfig | undefined {
    return this.#published;
  }

  /** The errors of the configuration as it stands, published or not. */
  currentErrors(): readonly ConfigError[] {
    return this.#errors;
  }

  /**
   * The providers' configuration merged but not validated: what the API shows for a
   * resource that validation removed, so that its errors come with what was written.
   */
  currentMerged(): DynamicConfig | undefined {
    return this.#merged;
  }

  /** Drops waiting messages and timers; later messages are ignored. */
  close(): void {
    this.#closed = true;
    for (const throttled of this.#throttled.values()) clearTimeout(throttled.timer);
    this.#throttled.clear();
  }

  #step(throttled: Throttled, step: ThrottleStep): void {
    throttled.state = step.state;
    // The window first, so that a listener that throws cannot leave the state open for good.
    if (step.openMs !== undefined) {
      throttled.timer = setTimeout(() => {
        throttled.timer = undefined;
        this.#step(throttled, throttleWindowEnd(throttled.state, this.#limits));
      }, step.openMs);
    }
    if (step.apply && throttled.waiting) {
      const message = throttled.waiting;
      throttled.waiting = undefined;
      this.#apply(message);
    }
  }

  #apply(message: ProviderMessage): void {
    this.#latest.set(message.provider, message);
    const providers = [...this.#latest.keys()].sort();
    const configs = new Map(providers.map((name) => [name, this.#latest.get(name)!.config]));
    configs.set(INTERNAL_PROVIDER, this.#options.internal ?? internalConfig());
    const merged = mergeProviders(configs);
    this.#merged = merged.config;
    const validated = validateConfig(merged.config, this.#options);
    this.#errors = [
      ...providers.flatMap((name) => this.#latest.get(name)!.errors),
      ...merged.errors,
      ...validated.errors,
    ];
    const errorsKey = stableStringify(this.#errors);
    if (errorsKey !== this.#errorsKey) {
      this.#errorsKey = errorsKey;
      for (const listener of this.#errorListeners) listener(this.#errors);
    }

    const key = stableStringify(validated.config);
    if (key === this.#publishedKey) return;
    this.#publishedKey = key;
    this.#published = { version: ++this.#version, config: validated.config, errors: this.#errors };
    for (const listener of this.#listeners) listener(this.#published);
  }
}
