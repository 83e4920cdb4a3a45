import type { ProxyResponse } from '../handler.js';
import type { HealthProbe, ProbeObserver } from './health-probe.js';
import { StatusSignal } from './status-signal.js';

// Traefik's defaults (dynamic.PassiveServerHealthCheck.SetDefaults).
const DEFAULT_FAILURE_WINDOW = 10_000;
const DEFAULT_MAX_FAILED_ATTEMPTS = 1;

/** Time as the passive check sees it; tests pass their own. */
export interface PassiveClock {
  now(): number;
  /** Runs `task` after `ms`; the returned function cancels it. Must not keep the process alive. */
  after(ms: number, task: () => void): () => void;
}

const REAL_CLOCK: PassiveClock = {
  now: () => performance.now(),
  after(ms, task) {
    const timer = setTimeout(task, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface PassiveSettings {
  readonly failureWindow: number;
  readonly maxFailedAttempts: number;
}

/** The passive check's settings with Traefik's defaults applied. */
export function passiveSettings(config: {
  failureWindow?: number | undefined;
  maxFailedAttempts?: number | undefined;
}): PassiveSettings {
  return {
    failureWindow: config.failureWindow ?? DEFAULT_FAILURE_WINDOW,
    maxFailedAttempts: config.maxFailedAttempts ?? DEFAULT_MAX_FAILED_ATTEMPTS,
  };
}

/**
 * One server's passive health for one service, as Traefik's PassiveServiceHealthChecker
 * keeps it: a request that fails (5xx, or no answer) adds a failure, one that succeeds
 * clears them; `maxFailedAttempts` failures within `failureWindow` take the server out.
 * It comes back once the window has passed or, when the service also has an active
 * health check, at that check's next pass. Kept in UpstreamPools, so a reload that keeps
 * the server keeps its failures and its state.
 */
export class PassiveHealth implements ProbeObserver {
  readonly status = new StatusSignal(true);
  /** When the recent failures happened, oldest first; never more than maxFailedAttempts. */
  readonly #failures: number[] = [];
  #cancelRecovery: (() => void) | null = null;

  constructor(
    private readonly settings: PassiveSettings,
    private readonly probe: HealthProbe | null,
    private readonly clock: PassiveClock = REAL_CLOCK,
  ) {
    probe?.observe(this);
  }

  /** A request to the server is over; `failed` when it got no answer or a 5xx. */
  record(failed: boolean): void {
    if (!failed) {
      this.#failures.length = 0;
      return;
    }
    const now = this.clock.now();
    const failures = this.#failures;
    failures.push(now);
    const windowStart = now - this.settings.failureWindow;
    while (failures.length > 0 && failures[0]! <= windowStart) failures.shift();
    if (failures.length > this.settings.maxFailedAttempts) failures.shift();
    if (failures.length < this.settings.maxFailedAttempts || !this.status.up) return;
    this.status.set(false);
    // With an active check, Traefik leaves the way back to it.
    if (this.probe !== null) return;
    this.#cancelRecovery = this.clock.after(this.settings.failureWindow, () => {
      this.#cancelRecovery = null;
      failures.length = 0;
      this.status.set(true);
    });
  }

  /** Traefik's active check sets the server up on every check that passes. */
  probed(up: boolean): void {
    if (up) this.status.set(true);
  }

  close(): Promise<void> {
    this.#cancelRecovery?.();
    this.#cancelRecovery = null;
    this.probe?.unobserve(this);
    return Promise.resolve();
  }
}

// The response's passive check, found by the shared 'close' listener below so that no
// closure is allocated per request.
const kPassive = Symbol('switchyard.passiveHealth');
type Watched = ProxyResponse & { [kPassive]?: PassiveHealth };

/**
 * Reports the outcome of the request `res` answers to `health` when it is over. A 5xx
 * counts as a failure, which covers an unreachable server (502) and a timeout (504).
 */
export function watchOutcome(res: ProxyResponse, health: PassiveHealth): void {
  (res as Watched)[kPassive] = health;
  res.once('close', reportOutcome);
}

function reportOutcome(this: Watched): void {
  const health = this[kPassive];
  if (health === undefined) return;
  this[kPassive] = undefined;
  health.record(this.statusCode >= 500);
}
