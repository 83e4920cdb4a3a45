import { setMaxListeners } from 'node:events';
import { CONFIG_PREFIX, CONFIG_VERSION_KEY, acmeCertificateKey } from '../../cluster/node/index.js';
import { isElectionError, type Election, type Term } from '../../cluster/election/index.js';
import type { DataKey } from '../../cluster/pki/index.js';
import { readPrefix, type Store, type Watch } from '../../cluster/store/index.js';
import { Router } from '../../config/dynamic/index.js';
import { ConfigError } from '../../config/errors.js';
import type { CertificatesResolver, StaticConfig } from '../../config/static/index.js';
import type { Logger } from '../../log/index.js';
import {
  ACME_LIMITS_PREFIX,
  ACME_ORDERS_PREFIX,
  ACME_ROUTER_ERRORS_PREFIX,
  OrderRecord,
} from './acme-records.js';
import { AcmeWriter, RecordConflict } from './acme-writer.js';
import { openAccount } from './accounts.js';
import { BudgetBook, type BudgetLimits } from './budget-book.js';
import {
  isUnknownAccount,
  isTransient,
  registerCaTransport,
  type CaClient,
  type PollSettings,
} from './ca-client.js';
import { createDnsProvider, type DnsProvider, type Env } from './dns/index.js';
import { cleanupDns, OrderFailed, runStep, type StepResult } from './order-steps.js';
import { planCertificates, type CertificateRequest } from './plan-certificates.js';
import { reconcileOrders, RESTING_STATES, routerErrorChanges, type StoredOrder } from './reconcile.js';
import { backoffDelay, type Backoff } from '../../config/backoff.js';
import { DEFAULT_BACKOFF, renewAt } from './renewal.js';
import { loadResolver, type ResolverSettings } from './resolvers.js';

// The ACME manager: runs on the elected controller only, for one term. It reads the
// routers the controller published, keeps one order record per certificate they ask for,
// and drives each record through its steps (order-steps.ts), writing every step through
// the term's fenced transactions. Everything it knows is in the store, so a successor
// picks up where it stopped.

export interface AcmeManagerOptions {
  readonly store: Store;
  /** `term` tells the manager its term is over before it makes another CA call. */
  readonly election: Pick<Election, 'fencedTxn' | 'term'>;
  readonly term: Term;
  readonly dataKey: DataKey;
  /** The static certificatesResolvers section. */
  readonly resolvers: Readonly<Record<string, CertificatesResolver>>;
  /** The static entrypoints, for their http.tls.certResolver defaults. */
  readonly entryPoints?: StaticConfig['entryPoints'];
  readonly log: Logger;
  /**
   * Resolves once every connected data node has applied `revision` (the distribution's
   * waitForRevision, bound to the store and a timeout); `ok: false` when one has not.
   */
  readonly waitForRevision: (revision: number) => Promise<{ readonly ok: boolean }>;
  readonly clock?: { now(): number };
  readonly random?: () => number;
  /** lego's variables (DNS providers, LEGO_CA_CERTIFICATES); process.env by default. */
  readonly env?: Env;
  /** Orders driven at once (default 16). */
  readonly concurrency?: number;
  readonly backoff?: Backoff;
  /** The ordering budget; Let's Encrypt's limits by default, whatever the CA. */
  readonly limits?: BudgetLimits;
  readonly poll?: PollSettings;
}

/** How long to wait after the last configuration change before planning again. */
const PLAN_DEBOUNCE_MS = 100;
/** The longest a timer is set for; due times further away are looked at again then. */
const MAX_TIMER_MS = 3_600_000;
/** The wait before watching the configuration again after the watch failed. */
const REWATCH_MS = 1_000;
/** CA refusals in a row after which a step's order is given up for a new one. */
const REFUSALS_BEFORE_NEW_ORDER = 3;

export class AcmeManager {
  readonly #o: AcmeManagerOptions;
  readonly #writer: AcmeWriter;
  readonly #budget: BudgetBook;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #abort = new AbortController();
  readonly #settings = new Map<string, ResolverSettings>();
  readonly #dns = new Map<string, DnsProvider>();
  readonly #accounts = new Map<string, Promise<CaClient>>();
  /** Resolvers whose account the CA no longer knows. */
  readonly #forgotten = new Set<string>();
  readonly #ari = new Map<string, Promise<boolean>>();
  readonly #orders = new Map<string, StoredOrder>();
  /** Records this manager wrote itself: the others it continues from a predecessor. */
  readonly #written = new Set<string>();
  readonly #running = new Map<string, Promise<void>>();
  #requests = new Map<string, CertificateRequest>();
  #routerErrors = new Map<string, string>();
  #watch: Watch | undefined;
  #timer: NodeJS.Timeout | undefined;
  #planTimer: NodeJS.Timeout | undefined;
  #rewatch: NodeJS.Timeout | undefined;
  #planning: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: AcmeManagerOptions) {
    this.#o = options;
    this.#writer = new AcmeWriter(options.election, options.term, options.dataKey);
    this.#budget = new BudgetBook(options.limits);
    // Every running order waits on this one signal (polls, delays); there are many at once.
    setMaxListeners(0, this.#abort.signal);
    const clock = options.clock;
    this.#now = clock === undefined ? Date.now : () => clock.now();
    this.#random = options.random ?? Math.random;
  }

  /** Reads the resolvers and the stored orders, then plans and starts ordering. */
  async start(): Promise<void> {
    const { store, log } = this.#o;
    const env = this.#o.env ?? process.env;
    for (const [name, resolver] of Object.entries(this.#o.resolvers)) {
      const loaded = await loadResolver(name, resolver, env);
      if (!loaded.ok) {
        for (const error of loaded.errors) log.error({ resolver: name, code: error.code }, error.message);
        continue;
      }
      const settings = loaded.value;
      for (const note of settings.ignored) log.warn({ resolver: name }, `ACME: ignored ${note}`);
      registerCaTransport(settings.caServer, settings.transport);
      this.#settings.set(name, settings);
      if (settings.dns !== undefined) this.#dns.set(name, dnsProvider(name, settings.dns.provider, env));
    }
    const [orders, limits, errors] = await Promise.all([
      readPrefix(store, ACME_ORDERS_PREFIX),
      readPrefix(store, ACME_LIMITS_PREFIX),
      readPrefix(store, ACME_ROUTER_ERRORS_PREFIX),
    ]);
    this.#budget.load(limits.kvs);
    for (const kv of errors.kvs) this.#routerErrors.set(kv.key, new TextDecoder().decode(kv.value));
    for (const kv of orders.kvs) {
      const parsed = parseRecord(kv.value);
      if (parsed === undefined) log.warn({ key: kv.key }, 'ACME: ignoring an unreadable order record');
      else this.#orders.set(kv.key, { record: parsed, revision: kv.modRevision });
    }
    if (this.#stopped) return;
    this.#watchConfig(orders.revision + 1);
    try {
      await this.#plan();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Plans again after every publication (the controller writes the version key last). */
  #watchConfig(fromRevision: number): void {
    this.#watch = this.#o.store.watch(CONFIG_VERSION_KEY, fromRevision, (change) => {
      if (change.type === 'error') {
        if (this.#stopped) return;
        this.#o.log.warn({ err: change.error }, 'ACME: watching the configuration failed; watching again');
        this.#rewatch = setTimeout(() => {
          this.#watchConfig(0);
          this.#planSoon();
        }, REWATCH_MS);
        return;
      }
      this.#planSoon();
    });
  }

  /** Stops at once: no step starts after this, and the ones running are abandoned at their next write. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    clearTimeout(this.#timer);
    clearTimeout(this.#planTimer);
    clearTimeout(this.#rewatch);
    this.#watch?.cancel();
    await this.#planning.catch(() => undefined);
    await Promise.allSettled([...this.#running.values()]);
  }

  #planSoon(): void {
    if (this.#stopped) return;
    clearTimeout(this.#planTimer);
    this.#planTimer = setTimeout(() => {
      this.#planning = this.#planning
        .then(() => this.#plan())
        .catch((err: unknown) => this.#fail(err, 'planning'));
    }, PLAN_DEBOUNCE_MS);
  }

  /** Reads the routers, writes what changed in the orders and the routers' errors, and schedules. */
  async #plan(): Promise<void> {
    if (this.#stopped) return;
    const prefix = `${CONFIG_PREFIX}http/routers/`;
    const { kvs } = await readPrefix(this.#o.store, prefix);
    const routers: Record<string, Router> = {};
    for (const kv of kvs) {
      const parsed = Router.safeParse(safeJson(kv.value));
      if (parsed.success) routers[kv.key.slice(prefix.length)] = parsed.data;
    }
    const plan = planCertificates(routers, this.#settings, this.#o.entryPoints);
    this.#requests = new Map(
      plan.requests.map((request) => [`${ACME_ORDERS_PREFIX}${request.resolver}/${request.main}`, request]),
    );
    const now = this.#now();
    for (const change of reconcileOrders(plan.requests, this.#orders, now)) {
      if (this.#stopped) return;
      const value = change.record === undefined ? undefined : JSON.stringify(change.record);
      const abandoned = change.abandoned;
      try {
        const revision = await this.#writer.commit({
          key: change.key,
          revision: change.revision,
          value,
          deletes: abandoned?.answerKeys ?? [],
        });
        if (change.record === undefined) this.#orders.delete(change.key);
        else this.#orders.set(change.key, { record: change.record, revision });
        this.#written.add(change.key);
        if (abandoned !== undefined) await cleanupDns(abandoned, this.#stepIo(change.key));
      } catch (err) {
        if (!(err instanceof RecordConflict)) throw err;
        // A step of that order moved first; the next plan sees its new state.
        this.#planSoon();
      }
    }
    const errors = routerErrorChanges(plan.errors, this.#routerErrors);
    await this.#writer.write(errors.puts, errors.deletes);
    for (const [key, text] of errors.puts) this.#routerErrors.set(key, text);
    for (const key of errors.deletes) this.#routerErrors.delete(key);
    this.#schedule();
  }

  /** Starts what is due, up to the concurrency, and sets a timer for the next due time. */
  #schedule(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    const now = this.#now();
    const limit = this.#o.concurrency ?? 16;
    const due = [...this.#orders]
      .filter(([key]) => !this.#running.has(key))
      .map(([key, { record }]) => ({ key, at: record.dueAt }))
      .sort((a, b) => a.at - b.at);
    for (const { key, at } of due) {
      if (this.#running.size >= limit || at > now) break;
      const run = this.#drive(key).finally(() => {
        this.#running.delete(key);
        this.#schedule();
      });
      this.#running.set(key, run);
    }
    const next = due.find(({ key }) => !this.#running.has(key));
    if (next !== undefined && this.#running.size < limit) {
      this.#timer = setTimeout(() => this.#schedule(), Math.min(MAX_TIMER_MS, Math.max(0, next.at - now)));
    }
  }

  /** Runs one record's steps until it rests (or fails, or the term ends). */
  async #drive(key: string): Promise<void> {
    for (;;) {
      const stored = this.#orders.get(key);
      if (stored === undefined || this.#stopped) return;
      const { record } = stored;
      const now = this.#now();
      if (record.dueAt > now) return;
      const settings = this.#settings.get(record.resolver);
      if (settings === undefined) return;
      try {
        const result = await this.#advance(key, stored, settings);
        // A step on its way is due again at once; a resting record says when itself.
        const next = RESTING_STATES.has(result.record.state)
          ? result.record
          : { ...result.record, dueAt: now };
        await this.#commit(key, stored.revision, { ...result, record: next });
        if (result.record.state === 'issued') this.#recheckNames(key);
      } catch (err) {
        if (this.#stopped || err instanceof RecordConflict) return;
        if (isElectionError(err, 'ELECTION_FENCED')) return this.#fail(err, 'writing');
        await this.#recordFailure(key, stored, settings, err).catch((failure: unknown) => {
          if (!(failure instanceof RecordConflict)) this.#fail(failure, 'recording a failure');
        });
        return;
      }
    }
  }

  async #advance(key: string, stored: StoredOrder, settings: ResolverSettings): Promise<StepResult> {
    const { record } = stored;
    const now = this.#now();
    if (record.state === 'failed') {
      const {
        orderUrl: _url,
        orderingSince: _since,
        authorizations: _authz,
        certKey: _key,
        ...rest
      } = record;
      return { record: { ...rest, state: 'pending', updatedAt: now } };
    }
    if (record.state === 'issued') return this.#review(key, stored, settings);
    const ca = await this.#account(settings);
    return runStep(record, {
      ...this.#stepIo(key),
      key,
      settings,
      ca,
      budget: this.#budget,
      answersRevision: await this.#answersRevision(stored),
      resumed: !this.#written.has(key),
      ari: await this.#offersAri(settings, ca),
      now: this.#now,
      random: this.#random,
      seal: (plaintext, aad) => this.#writer.seal(plaintext, aad),
      open: (sealed, aad) => this.#writer.open(sealed, aad),
      waitForRevision: this.#o.waitForRevision,
      alive: () => this.#alive(),
    });
  }

  /** The revision that last wrote a `presented` record's answers (see StepContext). */
  async #answersRevision({ record, revision }: StoredOrder): Promise<number> {
    if (record.state !== 'presented') return revision;
    const answers = await Promise.all((record.answerKeys ?? []).map((key) => this.#o.store.get(key)));
    const written = answers.flatMap(({ kv }) => (kv === undefined ? [] : [kv.modRevision]));
    return written.length === 0 ? revision : Math.max(...written);
  }

  /** An issued certificate that is due: renew it, look again later, or drop it once unused and expired. */
  async #review(key: string, stored: StoredOrder, settings: ResolverSettings): Promise<StepResult> {
    const { record } = stored;
    const now = this.#now();
    const notAfter = record.notAfter ?? now;
    if (record.unusedSince !== undefined) {
      if (now < notAfter) return { record: { ...record, dueAt: notAfter, updatedAt: now } };
      return {
        record: { ...record, dueAt: Number.MAX_SAFE_INTEGER },
        deletes: [acmeCertificateKey(record.resolver, record.main), key],
      };
    }
    let at = renewAt(notAfter, settings.window, undefined, this.#random);
    let recheck = at;
    if (record.ariId !== undefined) {
      const ca = await this.#account(settings);
      const info = (await this.#offersAri(settings, ca))
        ? await ca.renewalInfo(record.ariId, now)
        : undefined;
      if (info !== undefined) {
        at = renewAt(notAfter, settings.window, info.window, this.#random);
        recheck = now + (info.retryAfterMs ?? settings.window.checkEveryMs);
      }
    }
    if (at <= now)
      return { record: { ...record, state: 'pending', reason: 'renewal', dueAt: now, updatedAt: now } };
    return { record: { ...record, dueAt: Math.min(at, recheck), updatedAt: now } };
  }

  async #commit(key: string, revision: number, result: StepResult): Promise<void> {
    const deleting = result.deletes?.includes(key) === true;
    const written = await this.#writer.commit({
      key,
      revision,
      value: deleting ? undefined : JSON.stringify(result.record),
      ...(result.puts === undefined ? {} : { puts: result.puts }),
      deletes: (result.deletes ?? []).filter((deleted) => deleted !== key),
    });
    this.#written.add(key);
    this.#o.log.debug({ key, state: deleting ? 'deleted' : result.record.state }, 'ACME: step written');
    if (deleting) this.#orders.delete(key);
    else this.#orders.set(key, { record: result.record, revision: written });
  }

  /**
   * Keeps the record's state and retries after a backoff; or, when the CA refused the
   * order itself (or kept refusing a step), gives the order up so that the next attempt
   * starts a new one.
   */
  async #recordFailure(
    key: string,
    stored: StoredOrder,
    settings: ResolverSettings,
    err: unknown,
  ): Promise<void> {
    const now = this.#now();
    const { record } = stored;
    const failures = record.failures + 1;
    const error = err instanceof OrderFailed ? err.error : asConfigError(err, settings.path);
    const lastError = { code: error.code, message: error.message, at: now };
    const dueAt = now + backoffDelay(failures - 1, this.#o.backoff ?? DEFAULT_BACKOFF, this.#random);
    if (isUnknownAccount(err)) {
      this.#forgotten.add(settings.name);
      this.#accounts.delete(settings.name);
    }
    const inFlight = !RESTING_STATES.has(record.state);
    const giveUp =
      err instanceof OrderFailed ||
      (inFlight &&
        record.state !== 'ordering' &&
        !isTransient(err) &&
        failures >= REFUSALS_BEFORE_NEW_ORDER &&
        error.code !== 'ACME_CHALLENGE');
    this.#o.log.warn(
      { key, state: record.state, failures, code: error.code, retryAt: new Date(dueAt).toISOString() },
      `ACME: ${error.message}`,
    );
    if (!giveUp) {
      await this.#commit(key, stored.revision, {
        record: { ...record, failures, lastError, dueAt, updatedAt: now },
      });
      return;
    }
    const budget =
      err instanceof OrderFailed
        ? err.failedIdentifiers.map((id) => this.#budget.failedAuthorization(record.resolver, id, now))
        : [];
    await cleanupDns(record, this.#stepIo(key));
    const {
      orderUrl: _url,
      orderingSince: _since,
      authorizations: _authz,
      certKey: _key,
      answerKeys: _answers,
      dnsRecords: _dns,
      ...rest
    } = record;
    await this.#commit(key, stored.revision, {
      record: { ...rest, state: 'failed', failures, lastError, dueAt, updatedAt: now },
      puts: budget.map((write) => [write.put, String(now)] as const),
      deletes: [...(record.answerKeys ?? []), ...budget.flatMap((write) => write.deletes)],
    });
  }

  /** After an issue, a record whose routers changed its names meanwhile is ordered again. */
  #recheckNames(key: string): void {
    const request = this.#requests.get(key);
    const stored = this.#orders.get(key);
    if (
      request !== undefined &&
      stored !== undefined &&
      request.sans.join(',') !== stored.record.sans.join(',')
    ) {
      this.#planSoon();
    }
  }

  #account(settings: ResolverSettings): Promise<CaClient> {
    let account = this.#accounts.get(settings.name);
    if (account === undefined) {
      const reregister = this.#forgotten.delete(settings.name);
      account = openAccount(settings, this.#o.store, this.#writer, this.#o.poll, reregister);
      this.#accounts.set(settings.name, account);
      // A failure is not kept: the next step tries again.
      account.catch(() => this.#accounts.delete(settings.name));
    }
    return account;
  }

  #offersAri(settings: ResolverSettings, ca: CaClient): Promise<boolean> {
    let offers = this.#ari.get(settings.name);
    if (offers === undefined) {
      offers = ca.renewalInfoUrl().then((url) => url !== undefined);
      this.#ari.set(settings.name, offers);
      offers.catch(() => this.#ari.delete(settings.name));
    }
    return offers;
  }

  #stepIo(key: string): { dns: DnsProvider | undefined; signal: AbortSignal; log: Logger } {
    const resolver =
      this.#orders.get(key)?.record.resolver ?? key.slice(ACME_ORDERS_PREFIX.length).split('/')[0]!;
    return { dns: this.#dns.get(resolver), signal: this.#abort.signal, log: this.#o.log };
  }

  /**
   * Whether this term still holds, as far as this node knows. Checked before each call
   * that changes something at the CA: fencing stops a deposed controller's writes, not
   * its requests to the CA.
   */
  #alive(): boolean {
    return !this.#stopped && this.#o.election.term?.revision === this.#o.term.revision;
  }

  /** The term is over (or the store failed us): stop; the next controller continues. */
  #fail(err: unknown, doing: string): void {
    if (this.#stopped) return;
    this.#o.log.error({ err }, `ACME: ${doing} failed; the manager stops`);
    void this.stop();
  }
}

/** A provider that could not be set up fails every challenge it is asked for, with why. */
function dnsProvider(resolver: string, name: string, env: Env): DnsProvider {
  const made = createDnsProvider(resolver, name, env);
  if (made.ok) return made.value;
  const error = made.errors[0]!;
  const refuse = (): Promise<void> =>
    Promise.reject(new ConfigError('ACME_CHALLENGE', error.path, error.detail));
  return { present: refuse, cleanup: () => Promise.resolve() };
}

function asConfigError(err: unknown, path: string): ConfigError {
  if (err instanceof ConfigError) return err;
  return new ConfigError('ACME_CA', path, (err as Error).message ?? String(err), { cause: err });
}

const decoder = new TextDecoder();

function safeJson(value: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(value));
  } catch {
    return undefined;
  }
}

function parseRecord(value: Uint8Array): OrderRecord | undefined {
  const parsed = OrderRecord.safeParse(safeJson(value));
  return parsed.success ? parsed.data : undefined;
}
