import type { Logger } from 'pino';
import { Agent, interceptors } from 'undici';
import type { Dispatcher } from 'undici';
import { connectorFor } from '../proxy/index.js';
import type { ResolvedTransport } from '../proxy/index.js';
import type { HealthCheckPlan } from './health-check-plan.js';
import { isHealthyStatus } from './health-check-plan.js';
import { StatusSignal } from './status-signal.js';

// Go's http.Client stops after 10 redirects.
const MAX_REDIRECTIONS = 10;

/** Told the outcome of every check, whether or not it changes the status. */
export interface ProbeObserver {
  probed(up: boolean): void;
}

/**
 * The active health check of one server. A server starts up, as in Traefik; it is
 * checked every `interval` while up and every `unhealthyInterval` while down, and
 * `status` tells the load balancers using it when that flips. Timers are unref'd so
 * that a check never keeps the process alive.
 */
export class HealthProbe {
  readonly status = new StatusSignal(true);
  readonly #observers = new Set<ProbeObserver>();
  readonly #agent: Agent;
  readonly #dispatcher: Dispatcher;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    readonly serverUrl: string,
    private readonly plan: HealthCheckPlan,
    transport: ResolvedTransport,
    servername: string | undefined,
    private readonly logger: Logger | undefined,
  ) {
    // A separate agent: the probe may use another scheme or port than the traffic, and
    // must not queue behind it.
    this.#agent = new Agent({ connect: connectorFor(transport, servername) });
    this.#dispatcher = plan.followRedirects
      ? this.#agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }))
      : this.#agent;
  }

  start(): void {
    this.#schedule();
  }

  observe(observer: ProbeObserver): void {
    this.#observers.add(observer);
  }

  unobserve(observer: ProbeObserver): void {
    this.#observers.delete(observer);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#agent.destroy();
  }

  #schedule(): void {
    if (this.#closed) return;
    const delay = this.status.up ? this.plan.interval : this.plan.unhealthyInterval;
    this.#timer = setTimeout(() => void this.#check(), delay);
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    const { url, method, headers, status, timeout } = this.plan;
    let failure: string | undefined;
    try {
      const response = await this.#dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers,
        signal: AbortSignal.timeout(timeout),
      });
      await response.body.dump();
      if (!isHealthyStatus(response.statusCode, status)) {
        failure = `received status ${response.statusCode}${status === undefined ? '' : `, expected ${status}`}`;
      }
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    if (this.#closed) return;
    const up = failure === undefined;
    if (up !== this.status.up) {
      if (up)
        this.logger?.info({ serverUrl: this.serverUrl }, 'health check passed, server back in rotation');
      else
        this.logger?.warn(
          { serverUrl: this.serverUrl, reason: failure },
          'health check failed, server out of rotation',
        );
    }
    this.status.set(up);
    for (const observer of this.#observers) observer.probed(up);
    this.#schedule();
  }
}
