export interface StatusListener {
  statusChanged(signal: StatusSignal): void;
}

/**
 * An up/down state that tells its listeners when it flips: a server's health check tells
 * its load balancers, a load balancer tells the weighted services above it.
 */
export class StatusSignal {
  #up: boolean;
  readonly #listeners = new Set<StatusListener>();

  constructor(up: boolean) {
    this.#up = up;
  }

  get up(): boolean {
    return this.#up;
  }

  set(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    for (const listener of this.#listeners) listener.statusChanged(this);
  }

  subscribe(listener: StatusListener): void {
    this.#listeners.add(listener);
  }

  unsubscribe(listener: StatusListener): void {
    this.#listeners.delete(listener);
  }
}
