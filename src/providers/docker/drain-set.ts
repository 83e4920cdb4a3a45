import { constants } from 'node:os';

interface Entry {
  /** The event count when the kill was seen. */
  readonly killedAt: number;
  /** The event count when it started again (or its drain expired); undefined until then. */
  restartedAt: number | undefined;
  readonly timer: NodeJS.Timeout;
}

/**
 * Containers (or tasks) sent their stop signal: `docker stop` sends it, waits, then
 * kills. A load balancer that waits for `die` keeps sending requests to a process that is
 * shutting down; draining on `kill` takes it out first. An entry leaves the set once a
 * read that began after the kill shows the container stopped or gone, or one that began
 * after it started again (`docker restart`) shows it running, or when it expires: a
 * process that ignores its stop signal keeps running and is routed to again.
 */
export class DrainSet {
  readonly #entries = new Map<string, Entry>();
  #events = 0;

  /** Marks the start of a read; pass the result to settle() when the read is done. */
  mark(): number {
    return this.#events;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** The container was sent its stop signal; `onExpire` runs if nothing settles it within `expireMs`. */
  kill(id: string, expireMs: number, onExpire: () => void): void {
    const killedAt = ++this.#events;
    const old = this.#entries.get(id);
    if (old) clearTimeout(old.timer);
    const timer = setTimeout(() => {
      this.restart(id);
      onExpire();
    }, expireMs);
    this.#entries.set(id, { killedAt, restartedAt: undefined, timer });
  }

  /** The container started again; the next read tells whether it runs. */
  restart(id: string): void {
    const entry = this.#entries.get(id);
    if (entry) entry.restartedAt = ++this.#events;
  }

  /** After a read that began at `readAt`, drops the entries it decides. */
  settle(readAt: number, isRunning: (id: string) => boolean): void {
    for (const [id, entry] of this.#entries) {
      const restarted = entry.restartedAt !== undefined && readAt >= entry.restartedAt;
      const stopped = entry.restartedAt === undefined && readAt >= entry.killedAt && !isRunning(id);
      if (restarted || stopped) this.#delete(id);
    }
  }

  clear(): void {
    for (const id of [...this.#entries.keys()]) this.#delete(id);
  }

  #delete(id: string): void {
    clearTimeout(this.#entries.get(id)?.timer);
    this.#entries.delete(id);
  }
}

const STOPPING: readonly number[] = [
  constants.signals.SIGTERM,
  constants.signals.SIGINT,
  constants.signals.SIGQUIT,
  constants.signals.SIGKILL,
];

/**
 * Whether a `kill` event's signal (Docker gives its number: "15") stops the container:
 * its own stop signal (`StopSignal`, SIGTERM by default) or SIGTERM, SIGINT, SIGQUIT,
 * SIGKILL. Signals that ask a server to reload or reopen its logs (SIGHUP, SIGUSR1...)
 * leave it serving, unless the image made one of them its stop signal (Apache's SIGWINCH).
 */
export function isStopSignal(signal: string | undefined, stopSignal: string | undefined): boolean {
  const sent = signalNumber(signal);
  if (sent === undefined) return false;
  return sent === signalNumber(stopSignal || 'SIGTERM') || STOPPING.includes(sent);
}

/** `15`, `SIGTERM`, `TERM` → 15; undefined for anything else. */
function signalNumber(signal: string | undefined): number | undefined {
  if (signal === undefined || signal === '') return undefined;
  if (/^\d+$/.test(signal)) return Number(signal);
  const name = signal.toUpperCase();
  const full = (name.startsWith('SIG') ? name : `SIG${name}`) as keyof typeof constants.signals;
  return constants.signals[full];
}
