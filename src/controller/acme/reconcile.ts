import type { ConfigError } from '../../config/errors.js';
import { orderKey, routerErrorsKey, type OrderRecord, type OrderState } from './acme-records.js';
import type { CertificateRequest, RouterError } from './plan-certificates.js';

// What to write so that the stored orders follow the routers: a record per certificate
// asked for, new names for certificates whose routers changed them, and no more renewals
// for certificates nobody asks for. Pure: the manager writes the result.

export interface StoredOrder {
  readonly record: OrderRecord;
  /** The record's modRevision, which the write is conditioned on. */
  readonly revision: number;
}

export interface OrderChange {
  readonly key: string;
  readonly revision: number;
  /** The record to write; undefined deletes it. */
  readonly record: OrderRecord | undefined;
  /** An order given up: the answers it left for data nodes and the CA are to be removed. */
  readonly abandoned?: OrderRecord;
}

export const RESTING_STATES: ReadonlySet<OrderState> = new Set(['pending', 'issued', 'failed']);

export function reconcileOrders(
  requests: readonly CertificateRequest[],
  orders: ReadonlyMap<string, StoredOrder>,
  now: number,
): OrderChange[] {
  const changes: OrderChange[] = [];
  const wanted = new Set<string>();
  for (const request of requests) {
    const key = orderKey(request.resolver, request.main);
    wanted.add(key);
    const stored = orders.get(key);
    if (stored === undefined) {
      changes.push({
        key,
        revision: 0,
        record: {
          resolver: request.resolver,
          main: request.main,
          sans: [...request.sans],
          state: 'pending',
          reason: 'new',
          dueAt: now,
          failures: 0,
          updatedAt: now,
        },
      });
      continue;
    }
    const { record } = stored;
    const renamed = record.sans.join(',') !== request.sans.join(',');
    // An order on its way keeps its names; the manager looks again once it is done.
    if (renamed && RESTING_STATES.has(record.state)) {
      const { unusedSince: _unused, ...rest } = record;
      changes.push({
        key,
        revision: stored.revision,
        record: {
          ...rest,
          sans: [...request.sans],
          state: 'pending',
          reason: record.state === 'issued' || record.reason === 'domains' ? 'domains' : record.reason,
          dueAt: now,
          updatedAt: now,
        },
      });
    } else if (record.unusedSince !== undefined) {
      const { unusedSince: _unused, ...rest } = record;
      changes.push({ key, revision: stored.revision, record: { ...rest, dueAt: now, updatedAt: now } });
    }
  }
  for (const [key, stored] of orders) {
    if (wanted.has(key)) continue;
    const { record } = stored;
    if (record.notAfter === undefined) {
      changes.push({ key, revision: stored.revision, record: undefined, abandoned: record });
    } else if (record.state !== 'issued' || record.unusedSince === undefined) {
      // Its certificate is still served until it expires, as Traefik keeps it in
      // acme.json; it is no longer renewed, and a renewal on its way is given up.
      const {
        orderUrl: _url,
        orderingSince: _since,
        authorizations: _authz,
        answerKeys: _answers,
        dnsRecords: _dns,
        certKey: _key,
        ...rest
      } = record;
      changes.push({
        key,
        revision: stored.revision,
        record: { ...rest, state: 'issued', unusedSince: now, dueAt: record.notAfter, updatedAt: now },
        ...(record.state === 'issued' ? {} : { abandoned: record }),
      });
    }
  }
  return changes;
}

/** The router-errors keys to put and delete, from the plan's errors and the keys stored. */
export function routerErrorChanges(
  errors: readonly RouterError[],
  stored: ReadonlyMap<string, string>,
): { puts: [string, string][]; deletes: string[] } {
  const byRouter = new Map<string, ConfigError[]>();
  for (const { router, error } of errors) byRouter.set(router, [...(byRouter.get(router) ?? []), error]);
  const wanted = new Map<string, string>();
  for (const [router, list] of byRouter) wanted.set(routerErrorsKey(router), JSON.stringify(list));
  const puts = [...wanted].filter(([key, text]) => stored.get(key) !== text);
  const deletes = [...stored.keys()].filter((key) => !wanted.has(key));
  return { puts, deletes };
}
