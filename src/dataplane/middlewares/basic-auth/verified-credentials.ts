import { createHmac, randomBytes } from 'node:crypto';

// Enough for the users of one middleware and a few passwords each; beyond it the oldest
// entry goes, which costs one slow check the next time it is used.
const DEFAULT_CAPACITY = 1024;

/**
 * The user/password pairs that matched a slow hash, so that the next request with the
 * same credentials skips bcrypt (milliseconds, on purpose). Pairs are kept as an HMAC
 * under a key made for this middleware, never as the password itself; the set lives as
 * long as the middleware, so a configuration that changes a hash starts a new one.
 * Concurrent checks of the same pair share one verification, as Traefik's singleflight.
 */
export class VerifiedCredentials {
  readonly #key = randomBytes(32);
  readonly #known = new Set<string>();
  readonly #pending = new Map<string, Promise<boolean>>();
  readonly #capacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  /** The cache key of a pair; NUL cannot appear in a user name from an htpasswd line. */
  keyOf(user: string, password: Buffer): string {
    return createHmac('sha256', this.#key).update(user).update('\0').update(password).digest('base64');
  }

  has(key: string): boolean {
    return this.#known.has(key);
  }

  /** Runs `verify` unless the same pair is being verified already; remembers a match. */
  verify(key: string, verify: () => boolean | Promise<boolean>): boolean | Promise<boolean> {
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    const outcome = verify();
    if (typeof outcome === 'boolean') {
      if (outcome) this.#remember(key);
      return outcome;
    }
    const shared = outcome.then(
      (matched) => {
        this.#pending.delete(key);
        if (matched) this.#remember(key);
        return matched;
      },
      () => {
        this.#pending.delete(key);
        return false;
      },
    );
    this.#pending.set(key, shared);
    return shared;
  }

  #remember(key: string): void {
    if (this.#known.size >= this.#capacity) {
      const oldest = this.#known.values().next();
      if (oldest.done !== true) this.#known.delete(oldest.value);
    }
    this.#known.add(key);
  }
}
