import { X509Certificate } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  acmeCertificateKey,
  http01Key,
  tlsAlpn01Key,
  type AcmeCertificate,
  type Http01Answer,
  type TlsAlpn01Answer,
} from '../../cluster/node/index.js';
import { ElectionError } from '../../cluster/election/index.js';
import { ConfigError } from '../../config/errors.js';
import type { Logger } from '../../log/index.js';
import type {
  AuthorizationStep,
  ChallengeType,
  DnsRecord,
  OrderRecord,
  RecordedError,
} from './acme-records.js';
import { ariCertificateId } from './ari.js';
import type { BudgetBook } from './budget-book.js';
import {
  createAlpnCertificate,
  createCertificateKey,
  createCsr,
  type CaAuthorization,
  type CaClient,
  type CaOrder,
} from './ca-client.js';
import { waitForTxt, type DnsProvider } from './dns/index.js';
import { renewAt } from './renewal.js';
import type { ResolverSettings } from './resolvers.js';

// One step of a certificate's order: read what the CA says, make at most one change there,
// and return the record (and the keys) to write before the next step. A step is safe to
// run again from the state it starts in; that is what makes a successor controller's
// resumption correct.

/** What a step asks to be written, atomically with the record, through the fenced transaction. */
export interface StepResult {
  readonly record: OrderRecord;
  readonly puts?: readonly (readonly [key: string, value: Uint8Array | string])[];
  readonly deletes?: readonly string[];
}

export interface StepContext {
  readonly key: string;
  readonly settings: ResolverSettings;
  readonly ca: CaClient;
  readonly dns: DnsProvider | undefined;
  readonly budget: BudgetBook;
  /**
   * For `presented`: the revision that last wrote its answers, the one data nodes are sent.
   * Not the record's own: a failure rewrites the record alone, and a revision that wrote
   * no streamed key reaches the data nodes only with a later one that does.
   */
  readonly answersRevision: number;
  /** True when this process did not write the current state itself (it took it over). */
  readonly resumed: boolean;
  /** Whether the CA offers renewalInfo (ARI). */
  readonly ari: boolean;
  readonly now: () => number;
  readonly random: () => number;
  readonly signal: AbortSignal;
  readonly seal: (plaintext: string, aad: string) => Promise<Uint8Array>;
  readonly open: (sealed: Uint8Array, aad: string) => Promise<string>;
  readonly waitForRevision: (revision: number) => Promise<{ readonly ok: boolean }>;
  /** False once the controller's term is over: no CA call may follow. */
  readonly alive: () => boolean;
  readonly log: Logger;
}

/** Refuses to go on once the term is over, before a call that changes something at the CA. */
function ensureAlive(ctx: StepContext): void {
  if (!ctx.alive()) throw new ElectionError('ELECTION_FENCED', ctx.key, 'the controller term is over');
}

/** The step for the record's state; `pending` and the resting states are handled by the manager. */
export function runStep(record: OrderRecord, ctx: StepContext): Promise<StepResult> {
  switch (record.state) {
    case 'pending':
      return Promise.resolve(startOrdering(record, ctx));
    case 'ordering':
      return placeOrder(record, ctx);
    case 'ordered':
      return presentChallenges(record, ctx);
    case 'presented':
      return validate(record, ctx);
    case 'finalizing':
      return finalize(record, ctx);
    case 'issued':
    case 'failed':
      throw new Error(`${record.state} is not a step`);
  }
}

export const identifiersOf = (record: Pick<OrderRecord, 'main' | 'sans'>): string[] => [
  record.main,
  ...record.sans,
];

/** pending → ordering: spend the budget and write the intent before any CA call. */
function startOrdering(record: OrderRecord, ctx: StepContext): StepResult {
  const now = ctx.now();
  const blocked = ctx.budget.blockedUntil(record.resolver, identifiersOf(record), now);
  if (blocked !== undefined) {
    return rest(record, now, blocked, {
      code: 'ACME_RATE_LIMITED',
      message: `too many failed validations in the last hour; next attempt at ${new Date(blocked).toISOString()}`,
      at: now,
    });
  }
  const taken = ctx.budget.takeNewOrder(record.resolver, now);
  if (!taken.ok) {
    return rest(record, now, taken.retryAt, {
      code: 'ACME_RATE_LIMITED',
      message: `the account's budget of new orders is spent; next order at ${new Date(taken.retryAt).toISOString()}`,
      at: now,
    });
  }
  return {
    record: { ...record, state: 'ordering', orderingSince: now, updatedAt: now },
    puts: [[taken.write.put, String(now)]],
    deletes: taken.write.deletes,
  };
}

/** A resting record that keeps its state, to be looked at again at `dueAt`. */
function rest(record: OrderRecord, now: number, dueAt: number, error: RecordedError): StepResult {
  return { record: { ...record, dueAt, lastError: error, updatedAt: now } };
}

/**
 * ordering → ordered. A controller that took the intent over first looks for the order
 * its predecessor may have created before dying (the account's order list, where the CA
 * keeps one), so that a failover never orders the same certificate twice.
 */
async function placeOrder(record: OrderRecord, ctx: StepContext): Promise<StepResult> {
  const identifiers = identifiersOf(record);
  let order: CaOrder | undefined;
  if (ctx.resumed) order = await findOrder(ctx.ca, identifiers);
  if (order === undefined) {
    ensureAlive(ctx);
    order = await ctx.ca.newOrder(identifiers, {
      profile: ctx.settings.profile,
      ...(record.reason !== 'new' && ctx.ari && record.ariId !== undefined ? { replaces: record.ariId } : {}),
    });
  } else {
    ctx.log.info(
      { order: order.url, domains: identifiers },
      'ACME: continuing the order a previous controller created',
    );
  }
  return { record: { ...record, state: 'ordered', orderUrl: order.url, updatedAt: ctx.now() } };
}

/** The newest usable order of the account for exactly these identifiers. */
async function findOrder(ca: CaClient, identifiers: readonly string[]): Promise<CaOrder | undefined> {
  const urls = await ca.accountOrders();
  if (urls === undefined) return undefined;
  const wanted = [...identifiers].sort().join(',');
  // The newest orders are at the end; a predecessor's order is among the last few.
  for (const url of urls.slice(-100).reverse()) {
    const order = await ca.order(url);
    if (order.status === 'invalid') continue;
    if ([...order.identifiers].sort().join(',') === wanted) return order;
  }
  return undefined;
}

/** Fails the order: the next attempt starts a new one. */
export class OrderFailed extends Error {
  constructor(
    readonly error: ConfigError,
    /** Identifiers whose authorization the CA refused (counted against the budget). */
    readonly failedIdentifiers: readonly string[] = [],
  ) {
    super(error.message, { cause: error });
  }
}

const PREFERENCE: readonly ChallengeType[] = ['http-01', 'tls-alpn-01', 'dns-01'];

/** ordered → presented (or finalizing when the CA needs no validation). */
async function presentChallenges(record: OrderRecord, ctx: StepContext): Promise<StepResult> {
  const order = await ctx.ca.order(record.orderUrl!);
  if (order.status === 'invalid')
    throw orderFailed(ctx, `the order is invalid${order.error ? `: ${order.error}` : ''}`);
  if (order.status === 'ready') return chooseKey(record, ctx, []);
  if (order.status !== 'pending') {
    throw orderFailed(ctx, `the order is ${order.status} before it was finalized`);
  }
  const steps: AuthorizationStep[] = [];
  const puts: [string, Uint8Array | string][] = [];
  const dnsRecords: DnsRecord[] = [];
  for (const url of order.authorizations) {
    const authz = await ctx.ca.authorization(url);
    if (authz.status === 'valid') {
      steps.push({ url, identifier: authz.identifier });
      continue;
    }
    if (authz.status !== 'pending') {
      throw new OrderFailed(
        new ConfigError(
          'ACME_CHALLENGE',
          ctx.settings.path,
          `${authz.identifier}: authorization ${authz.status}${authz.error ? `: ${authz.error}` : ''}`,
        ),
        authz.status === 'invalid' ? [authz.identifier] : [],
      );
    }
    const challenge = pickChallenge(authz, ctx.settings);
    const domain = authz.identifier;
    const keyAuthorization = await ctx.ca.keyAuthorization({ type: 'http-01', token: challenge.token });
    if (challenge.type === 'http-01') {
      const answer: Http01Answer = { token: challenge.token, keyAuthorization, domain };
      puts.push([http01Key(challenge.token), JSON.stringify(answer)]);
    } else if (challenge.type === 'tls-alpn-01') {
      const made = await createAlpnCertificate(domain, keyAuthorization);
      const answer: TlsAlpn01Answer = { domain, ...made };
      const key = tlsAlpn01Key(domain);
      puts.push([key, await ctx.seal(JSON.stringify(answer), key)]);
    } else {
      const value = await ctx.ca.keyAuthorization({ type: 'dns-01', token: challenge.token });
      const dnsRecord: DnsRecord = {
        fqdn: `_acme-challenge.${domain}.`,
        value,
        domain,
        token: challenge.token,
        keyAuthorization,
      };
      ensureAlive(ctx);
      // Presented before the record says so: a controller that dies here leaves a TXT
      // record that the next one presents again (the same value) and later removes.
      await ctx.dns!.present(dnsRecord, ctx.signal);
      dnsRecords.push(dnsRecord);
    }
    steps.push({
      url,
      identifier: domain,
      challenge: { type: challenge.type, url: challenge.url, token: challenge.token },
    });
  }
  return {
    record: {
      ...record,
      state: 'presented',
      authorizations: steps,
      answerKeys: puts.map(([key]) => key),
      dnsRecords,
      updatedAt: ctx.now(),
    },
    puts,
  };
}

function pickChallenge(
  authz: CaAuthorization,
  settings: ResolverSettings,
): { type: ChallengeType; url: string; token: string } {
  const available = new Set<ChallengeType>([
    ...(settings.http === undefined ? [] : (['http-01'] as const)),
    ...(settings.tls === undefined ? [] : (['tls-alpn-01'] as const)),
    ...(settings.dns === undefined ? [] : (['dns-01'] as const)),
  ]);
  for (const type of PREFERENCE) {
    if (!available.has(type)) continue;
    const offered = authz.challenges.find((challenge) => challenge.type === type && challenge.token !== '');
    if (offered !== undefined) return { type, url: offered.url, token: offered.token };
  }
  throw new OrderFailed(
    new ConfigError(
      'ACME_CHALLENGE',
      settings.path,
      `${authz.identifier}: the CA offers ${authz.challenges.map((c) => c.type).join(', ')}, and the resolver answers none of them`,
    ),
  );
}

/** presented → finalizing, once every data node holds the answers and the CA validated them. */
async function validate(record: OrderRecord, ctx: StepContext): Promise<StepResult> {
  const steps = record.authorizations ?? [];
  if ((record.answerKeys ?? []).length > 0) {
    const delivered = await ctx.waitForRevision(ctx.answersRevision);
    if (!delivered.ok) {
      throw new ConfigError(
        'ACME_CHALLENGE',
        ctx.settings.path,
        `the challenge answers did not reach every data node: ${describe(delivered)}`,
      );
    }
  }
  const types = new Set(steps.map((step) => step.challenge?.type));
  const delay = Math.max(
    types.has('http-01') ? (ctx.settings.http?.delayMs ?? 0) : 0,
    types.has('tls-alpn-01') ? (ctx.settings.tls?.delayMs ?? 0) : 0,
  );
  if (delay > 0) await sleep(delay, undefined, { signal: ctx.signal });
  if (types.has('dns-01')) await waitForDns(record, ctx);

  for (const step of steps) {
    if (step.challenge === undefined) continue;
    const authz = await ctx.ca.authorization(step.url);
    const challenge = authz.challenges.find((c) => c.url === step.challenge!.url);
    ensureAlive(ctx);
    if (authz.status === 'pending' && challenge?.status === 'pending')
      await ctx.ca.completeChallenge(step.challenge.url);
  }
  const refused: string[] = [];
  const reasons: string[] = [];
  for (const step of steps) {
    const authz = await ctx.ca.settleAuthorization(step.url, ctx.signal);
    if (authz.status !== 'valid') {
      refused.push(step.identifier);
      reasons.push(`${step.identifier}: ${authz.status}${authz.error ? ` (${authz.error})` : ''}`);
    }
  }
  if (refused.length > 0) {
    throw new OrderFailed(
      new ConfigError('ACME_CHALLENGE', ctx.settings.path, `validation failed: ${reasons.join('; ')}`),
      refused,
    );
  }
  return chooseKey(record, ctx, record.answerKeys ?? []);
}

async function waitForDns(record: OrderRecord, ctx: StepContext): Promise<void> {
  const dns = ctx.settings.dns!;
  if (dns.delayBeforeChecksMs > 0) await sleep(dns.delayBeforeChecksMs, undefined, { signal: ctx.signal });
  if (dns.disableChecks || dns.resolvers.length === 0) return;
  for (const txt of record.dnsRecords ?? []) {
    try {
      await waitForTxt(
        txt.fqdn,
        txt.value,
        {
          resolvers: dns.resolvers,
          requireAll: dns.requireAllResolvers,
          timeoutMs: 60_000,
          intervalMs: 1_000,
        },
        ctx.signal,
      );
    } catch (err) {
      throw new ConfigError('ACME_CHALLENGE', `${ctx.settings.path}.dnsChallenge`, (err as Error).message, {
        cause: err,
      });
    }
  }
}

/** Chooses the certificate's key (kept, sealed, until the certificate is stored) and drops the answers. */
async function chooseKey(
  record: OrderRecord,
  ctx: StepContext,
  answers: readonly string[],
): Promise<StepResult> {
  await cleanupDns(record, ctx);
  const key = await createCertificateKey(ctx.settings.keyType);
  const sealed = await ctx.seal(key, `${ctx.key}#certKey`);
  return {
    record: {
      ...record,
      state: 'finalizing',
      certKey: Buffer.from(sealed).toString('base64'),
      answerKeys: [],
      dnsRecords: [],
      updatedAt: ctx.now(),
    },
    deletes: answers,
  };
}

/** Removes the TXT records a record presented; failures are logged, not fatal. */
export async function cleanupDns(
  record: OrderRecord,
  ctx: Pick<StepContext, 'dns' | 'signal' | 'log'>,
): Promise<void> {
  for (const txt of record.dnsRecords ?? []) {
    try {
      await ctx.dns?.cleanup(txt, ctx.signal);
    } catch (err) {
      ctx.log.warn({ err, fqdn: txt.fqdn }, 'ACME: removing a DNS-01 record failed');
    }
  }
}

/** finalizing → issued: send the CSR (once), wait, download, store the certificate sealed. */
async function finalize(record: OrderRecord, ctx: StepContext): Promise<StepResult> {
  const keyPem = await ctx.open(Buffer.from(record.certKey!, 'base64'), `${ctx.key}#certKey`);
  let order = await ctx.ca.order(record.orderUrl!);
  if (order.status === 'pending') return { record: { ...record, state: 'ordered', updatedAt: ctx.now() } };
  if (order.status === 'ready') {
    const csr = await createCsr(record.main, record.sans, keyPem, ctx.settings.commonName);
    ensureAlive(ctx);
    order = await ctx.ca.finalize(order, csr);
  }
  if (order.status === 'processing') order = await ctx.ca.settleOrder(order.url, ctx.signal);
  if (order.status !== 'valid')
    throw orderFailed(ctx, `the order is ${order.status}${order.error ? `: ${order.error}` : ''}`);
  const chain = await ctx.ca.certificate(order, ctx.settings.preferredChain);
  const leaf = new X509Certificate(chain);
  const now = ctx.now();
  const notAfter = Date.parse(leaf.validTo);
  const certificate: AcmeCertificate = {
    resolver: record.resolver,
    domains: { main: record.main, sans: [...record.sans] },
    certificate: chain,
    key: keyPem,
    notAfter: new Date(notAfter).toISOString(),
  };
  const certKey = acmeCertificateKey(record.resolver, record.main);
  const ariId = ctx.ari ? ariIdOf(chain) : undefined;
  const {
    certKey: _dropped,
    orderUrl: _url,
    authorizations: _authz,
    orderingSince: _since,
    lastError: _error,
    ...kept
  } = record;
  return {
    record: {
      ...kept,
      state: 'issued',
      failures: 0,
      issuedAt: now,
      notAfter,
      issuer: commonNameOf(leaf.issuer),
      serial: leaf.serialNumber,
      ...(ariId === undefined ? {} : { ariId }),
      dueAt: renewAt(notAfter, ctx.settings.window, undefined, ctx.random),
      updatedAt: now,
    },
    puts: [[certKey, await ctx.seal(JSON.stringify(certificate), certKey)]],
  };
}

function ariIdOf(chain: string): string | undefined {
  try {
    return ariCertificateId(chain);
  } catch {
    return undefined;
  }
}

const commonNameOf = (subject: string): string =>
  /(?:^|\n)CN=([^\n]*)/.exec(subject)?.[1] ?? subject.split('\n')[0] ?? '';

const orderFailed = (ctx: StepContext, detail: string): OrderFailed =>
  new OrderFailed(new ConfigError('ACME_CA', ctx.settings.path, detail));

function describe(outcome: { readonly ok: boolean }): string {
  const errors = (outcome as { errors?: readonly unknown[] }).errors;
  if (Array.isArray(errors) && errors.length > 0) return errors.map(String).join('; ');
  const error = (outcome as { error?: unknown }).error;
  return error === undefined ? 'not acknowledged in time' : String(error);
}
