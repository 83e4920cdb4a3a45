import type { KeyValue } from '../../cluster/store/index.js';
import { ACME_LIMITS_PREFIX, failedAuthorizationEventKey, newOrderEventKey } from './acme-records.js';
import {
  admit,
  blockedUntil,
  FAILED_AUTHORIZATIONS_LIMIT,
  NEW_ORDERS_LIMIT,
  withinWindow,
  type Limit,
} from './budget.js';

// The ordering budget of one term, in memory, loaded from the store's event keys when the
// manager starts: only this controller spends it, so memory is the truth and the store is
// what the next controller starts from. Each event is its own key; events that left
// their window are deleted with the next write that counts one.

interface Event {
  readonly key: string;
  readonly time: number;
}

export interface BudgetWrite {
  readonly put: string;
  readonly deletes: readonly string[];
}

/** The limits a budget enforces: Let's Encrypt's unless the CA has others. */
export interface BudgetLimits {
  readonly newOrders: Limit;
  readonly failedAuthorizations: Limit;
}

export const LETS_ENCRYPT_LIMITS: BudgetLimits = {
  newOrders: NEW_ORDERS_LIMIT,
  failedAuthorizations: FAILED_AUTHORIZATIONS_LIMIT,
};

export class BudgetBook {
  readonly #events = new Map<string, Event[]>();
  readonly #limits: BudgetLimits;
  #n = 0;

  constructor(limits: BudgetLimits = LETS_ENCRYPT_LIMITS) {
    this.#limits = limits;
  }

  /** Loads the event keys under ACME_LIMITS_PREFIX. */
  load(kvs: readonly KeyValue[]): void {
    for (const kv of kvs) {
      const rest = kv.key.slice(ACME_LIMITS_PREFIX.length);
      const slash = rest.lastIndexOf('/');
      const time = Number(rest.slice(slash + 1).split('-')[0]);
      if (slash < 0 || !Number.isFinite(time)) continue;
      this.#list(rest.slice(0, slash)).push({ key: kv.key, time });
    }
  }

  /**
   * Takes one new order of `resolver`'s account at `now`: the write that records it, or
   * when the account may order again.
   */
  takeNewOrder(
    resolver: string,
    now: number,
  ): { ok: true; write: BudgetWrite } | { ok: false; retryAt: number } {
    const scope = `${resolver}/new-orders`;
    const events = this.#list(scope);
    const admission = admit(
      events.map((event) => event.time),
      this.#limits.newOrders,
      now,
    );
    if (!admission.ok) return admission;
    return {
      ok: true,
      write: this.#record(
        scope,
        newOrderEventKey(resolver, now, ++this.#n),
        now,
        this.#limits.newOrders.windowMs,
      ),
    };
  }

  /** Records a failed authorization of `identifier`. */
  failedAuthorization(resolver: string, identifier: string, now: number): BudgetWrite {
    const key = failedAuthorizationEventKey(resolver, identifier, now, ++this.#n);
    return this.#record(
      `${resolver}/failed/${identifier}`,
      key,
      now,
      this.#limits.failedAuthorizations.windowMs,
    );
  }

  /** When the first of `identifiers` that failed too often may be tried again; undefined if none. */
  blockedUntil(resolver: string, identifiers: readonly string[], now: number): number | undefined {
    let until: number | undefined;
    for (const identifier of identifiers) {
      const times = this.#list(`${resolver}/failed/${identifier}`).map((event) => event.time);
      const blocked = blockedUntil(times, this.#limits.failedAuthorizations, now);
      if (blocked !== undefined) until = Math.max(until ?? 0, blocked);
    }
    return until;
  }

  /** New orders counted in the window, for status. */
  newOrdersInWindow(resolver: string, now: number): number {
    const times = this.#list(`${resolver}/new-orders`).map((event) => event.time);
    return withinWindow(times, this.#limits.newOrders, now).length;
  }

  #record(scope: string, key: string, now: number, windowMs: number): BudgetWrite {
    const events = this.#list(scope);
    const expired = events.filter((event) => event.time <= now - windowMs);
    const kept = events.filter((event) => event.time > now - windowMs);
    kept.push({ key, time: now });
    this.#events.set(scope, kept);
    return { put: key, deletes: expired.map((event) => event.key) };
  }

  #list(scope: string): Event[] {
    let events = this.#events.get(scope);
    if (events === undefined) {
      events = [];
      this.#events.set(scope, events);
    }
    return events;
  }
}
