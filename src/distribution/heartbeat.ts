import type { StreamTiming } from './timing.js';

// App-level liveness for one stream, on top of gRPC's HTTP/2 pings: those prove the
// connection is up, these prove the peer's event loop still turns. Each side sends a
// keepalive when it has said nothing for keepaliveMs and drops the stream when it has
// heard nothing for idleTimeoutMs.

export interface HeartbeatActions {
  readonly sendKeepalive: () => void;
  readonly onIdle: () => void;
}

export class Heartbeat {
  readonly #timing: StreamTiming;
  readonly #actions: HeartbeatActions;
  readonly #timer: NodeJS.Timeout;
  #heard = Date.now();
  #spoke = Date.now();

  constructor(timing: StreamTiming, actions: HeartbeatActions) {
    this.#timing = timing;
    this.#actions = actions;
    this.#timer = setInterval(() => this.#tick(), Math.min(timing.keepaliveMs, timing.idleTimeoutMs) / 2);
    this.#timer.unref();
  }

  heard(): void {
    this.#heard = Date.now();
  }

  spoke(): void {
    this.#spoke = Date.now();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    const now = Date.now();
    if (now - this.#heard >= this.#timing.idleTimeoutMs) {
      this.stop();
      this.#actions.onIdle();
      return;
    }
    if (now - this.#spoke >= this.#timing.keepaliveMs) {
      this.#spoke = now;
      this.#actions.sendKeepalive();
    }
  }
}
