import type { AccessLogConfig } from './access-log-config.js';

/**
 * Traefik's access log filters: a request is logged when its status is in one of
 * `statusCodes`, or it was retried (`retryAttempts`), or it took longer than
 * `minDuration`. With none of them set, every request is.
 */
export class AccessLogFilter {
  readonly #ranges: readonly (readonly [number, number])[];
  readonly #retried: boolean;
  readonly #minDuration: number;
  readonly #keepsAll: boolean;

  constructor(config: AccessLogConfig['filters']) {
    this.#ranges = config.statusCodes.map(statusRange);
    this.#retried = config.retryAttempts;
    this.#minDuration = config.minDuration;
    this.#keepsAll = this.#ranges.length === 0 && !this.#retried && this.#minDuration === 0;
  }

  keeps(status: number, retryAttempts: number, durationMs: number): boolean {
    if (this.#keepsAll) return true;
    for (const [low, high] of this.#ranges) if (status >= low && status <= high) return true;
    if (this.#retried && retryAttempts > 0) return true;
    return this.#minDuration > 0 && durationMs > this.#minDuration;
  }
}

/** "200" or "300-302" (the schema checked the form). */
function statusRange(text: string): readonly [number, number] {
  const [low, high] = text.split('-');
  return [Number(low), Number(high ?? low)];
}
