// What the metrics and the access log share: one meter per request that both read, and
// the contracts through which the entrypoints hand them requests.
import type { ProxyRequest, ProxyResponse, RequestContext } from '../handler.js';
import type { ExchangeMeter } from './exchange-meter.js';

export { connectionOf, ExchangeMeter, ExchangeObserver, exchangeObserver } from './exchange-meter.js';
export { MeteredHttp2ServerResponse, MeteredServerResponse } from './metered-response.js';
export { goTlsVersion } from './tls-version.js';
export { ObserverChoice, type ObservedSignals } from './observer-choice.js';

/** Told once the exchange it follows is over, with what the meter measured. */
export interface ExchangeWatcher {
  exchangeOver(meter: ExchangeMeter): void;
}

/** Something that follows requests (the metrics, the access log). */
export interface RequestTracker {
  /**
   * A request enters the entrypoint: reads what the middlewares may change and returns
   * what is told when the request is over.
   */
  follow(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): ExchangeWatcher;
}
