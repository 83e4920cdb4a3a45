import { exchangeObserver, type ExchangeObserver } from './exchange-meter.js';
import type { RequestTracker } from './index.js';

/** What a router (or, for requests no router takes, an entrypoint) has observed. */
export interface ObservedSignals {
  readonly accessLogs: boolean;
  readonly metrics: boolean;
}

/**
 * The observers one configuration hands requests to, one per combination of the trackers
 * that are on and the signals a router keeps, built once and shared by every router
 * that makes the same choice. Null where nothing is left to observe: those requests pay
 * nothing.
 */
export class ObserverChoice {
  readonly #metrics: RequestTracker | undefined;
  readonly #accessLog: RequestTracker | undefined;
  readonly #built = new Map<string, ExchangeObserver | null>();

  constructor(metrics: RequestTracker | undefined, accessLog: RequestTracker | undefined) {
    this.#metrics = metrics;
    this.#accessLog = accessLog;
  }

  pick(signals: ObservedSignals): ExchangeObserver | null {
    const metrics = signals.metrics ? this.#metrics : undefined;
    const accessLog = signals.accessLogs ? this.#accessLog : undefined;
    const key = `${metrics === undefined ? '-' : 'm'}${accessLog === undefined ? '-' : 'a'}`;
    let observer = this.#built.get(key);
    if (observer === undefined) {
      observer = exchangeObserver(metrics, accessLog);
      this.#built.set(key, observer);
    }
    return observer;
  }
}
