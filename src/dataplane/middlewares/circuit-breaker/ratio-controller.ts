/**
 * oxy's ratioController: while recovering, lets through a share of requests that grows
 * linearly from 0 to one half over the recovery duration. A request is let through when
 * doing so keeps the share of those let through below the target.
 */
export class RatioController {
  #allowed = 0;
  #denied = 0;

  constructor(
    private readonly start: number,
    private readonly durationMs: number,
  ) {}

  allowRequest(now: number): boolean {
    const target = this.durationMs <= 0 ? 0.5 : (0.5 * (now - this.start)) / this.durationMs;
    const ratio = (this.#allowed + 1) / (this.#allowed + 1 + this.#denied);
    if (ratio < target) {
      this.#allowed++;
      return true;
    }
    this.#denied++;
    return false;
  }
}
