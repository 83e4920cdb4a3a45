import type { ConfigError } from '../config/errors.js';
import type { DynamicConfig } from '../config/dynamic/index.js';
import { stableStringify, type ProviderMessage } from '../providers/index.js';
import { INTERNAL_PROVIDER, internalConfig } from './internal.js';
import { mergeProviders } from './merge-providers.js';
import { validateConfig, type ValidationContext } from './validate-config.js';

/** Traefik's `providers.providersThrottleDuration` default. */
export const DEFAULT_PROVIDERS_THROTTLE_MS = 2000;

export interface ControllerOptions extends ValidationContext {
  /** The least time between two applied messages of one provider; the newest waiting one wins. */
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

interface ThrottleWindow {
  timer: NodeJS.Timeout;
  waiting: ProviderMessage | undefined;
}

/**
 * The stateful shell around mergeProviders and validateConfig, shaped after Traefik's
 * configuration watcher: it keeps the latest message of each provider, skips a message
 * equal to that provider's previous one, lets each provider through at most once per
 * throttle window (the newest message waiting when the window ends is applied), and
 * publishes a new version only when the merged configuration changed. Errors (those of
 * the providers, the merge and the validation) are kept current even when they alone
 * changed: see currentErrors() and onErrors(). A published version carries the errors
 * current when it was published.
 */
export class Controller {
  readonly #options: ControllerOptions;
  readonly #throttleMs: number;
  readonly #latest = new Map<string, ProviderMessage>();
  readonly #received = new Map<string, string>();
  readonly #windows = new Map<string, ThrottleWindow>();
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
    this.#throttleMs = options.providersThrottleDuration ?? DEFAULT_PROVIDERS_THROTTLE_MS;
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
    const window = this.#windows.get(message.provider);
    if (window) {
      window.waiting = message;
      return;
    }
    this.#apply(message);
    this.#open(message.provider);
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
    for (const window of this.#windows.values()) clearTimeout(window.timer);
    this.#windows.clear();
  }

  #open(provider: string): void {
    const window: ThrottleWindow = {
      timer: setTimeout(() => {
        const next = window.waiting;
        this.#windows.delete(provider);
        if (next) {
          this.#apply(next);
          this.#open(provider);
        }
      }, this.#throttleMs),
      waiting: undefined,
    };
    this.#windows.set(provider, window);
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
