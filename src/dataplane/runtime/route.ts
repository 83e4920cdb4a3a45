import type { Handler } from '../handler.js';
import type { ExchangeObserver } from '../observability/index.js';

/** What a router table entry leads to: the router's prebuilt chain, ending in its service. */
export interface Route {
  readonly name: string;
  readonly service: string;
  readonly handler: Handler;
  /** Told of the router's requests, for the signals it observes; null when none is on. */
  readonly observer: ExchangeObserver | null;
}
