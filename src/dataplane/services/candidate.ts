/** Something a balancing strategy can pick: a server, or a child service. */
export interface Candidate {
  /** False while its health check (or its own children) say it cannot take traffic. */
  readonly up: boolean;
}

export interface Strategy<T extends Candidate> {
  /** The next candidate that is up, or null when none is. */
  next(): T | null;
  /** Some candidate's `up` changed. */
  refresh(): void;
}
