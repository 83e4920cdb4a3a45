import { Agent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { rootCertificates } from 'node:tls';
import { axios as acmeAxios, Client, crypto as acmeCrypto } from 'acme-client';
import type { Authorization, Order } from 'acme-client';
import type { AxiosError } from 'axios';
import { ConfigError, type ErrorCode } from '../../config/errors.js';
import type { AcmeKeyType } from '../../config/static/index.js';
import { parseRenewalInfo, type RenewalInfo } from './ari.js';

// The only code that talks to an ACME CA: a thin shell over acme-client 5.4 (pinned), each
// call one request (or one bounded poll), so that the order state machine decides what
// happens between them and can persist every step. Failures are ConfigErrors whose code
// says whose fault it is (ACME_CA, ACME_ACCOUNT, ACME_CHALLENGE, ACME_RATE_LIMITED).

/** How acme-client reaches one CA: whom to trust, how long to wait. */
export interface CaTransport {
  /** PEM certificates of the CAs that may sign the server's certificate; undefined: the system's. */
  readonly ca?: readonly string[];
  /** The name to check the server's certificate against, when not the URL's host. */
  readonly serverName?: string;
  readonly timeoutMs: number;
}

const transports = new Map<string, { agent: Agent; timeoutMs: number }>();
let interceptorInstalled = false;

/**
 * Registers how requests to the CA at `directoryUrl` are made. acme-client has one axios
 * instance for the process; its requests are matched to a CA by origin here, so that two
 * resolvers may trust different CAs.
 */
export function registerCaTransport(directoryUrl: string, transport: CaTransport): void {
  const agent = new Agent({
    keepAlive: true,
    ...(transport.ca === undefined ? {} : { ca: [...transport.ca] }),
    ...(transport.serverName === undefined ? {} : { servername: transport.serverName }),
  });
  transports.get(new URL(directoryUrl).origin)?.agent.destroy();
  transports.set(new URL(directoryUrl).origin, { agent, timeoutMs: transport.timeoutMs });
  if (interceptorInstalled) return;
  interceptorInstalled = true;
  // acme-client retries failed requests itself (5 attempts, 5 s apart and growing) and,
  // once out of attempts, loses a network error in a TypeError (src/axios.js reads the
  // response it does not have). Its response handler is replaced by one that only does
  // what the rest of acme-client relies on, checking the status against the validator its
  // request handler set aside; the order machine retries with its own backoff.
  acmeAxios.interceptors.response.clear();
  acmeAxios.interceptors.response.use(null, (error: AxiosError) => {
    const response = error.response;
    const validator = (
      error.config as { retryValidateStatus?: ((status: number) => boolean) | null } | undefined
    )?.retryValidateStatus;
    if (response !== undefined && (!validator || validator(response.status))) return response;
    return Promise.reject(error);
  });
  acmeAxios.interceptors.request.use((config) => {
    const found = config.url === undefined ? undefined : transports.get(originOf(config.url));
    if (found !== undefined) {
      config.httpsAgent = found.agent;
      config.timeout = found.timeoutMs;
    }
    return config;
  });
}

/** The system's roots with `extra` added, for caSystemCertPool. */
export const withSystemRoots = (extra: readonly string[]): string[] => [...rootCertificates, ...extra];

const originOf = (url: string): string => {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
};

export interface PollSettings {
  /** First wait between two reads of a pending object; doubles up to maxMs. */
  readonly minMs: number;
  readonly maxMs: number;
  /** Give up after this long in total. */
  readonly timeoutMs: number;
}

export const DEFAULT_POLL: PollSettings = { minMs: 500, maxMs: 5_000, timeoutMs: 120_000 };

export interface CaClientOptions {
  readonly directoryUrl: string;
  /** PEM account key. */
  readonly accountKey: string;
  readonly accountUrl?: string;
  readonly eab?: { readonly kid: string; readonly hmacKey: string };
  readonly poll?: PollSettings;
  /** Resource path errors are reported under (certificatesResolvers.<name>.acme). */
  readonly path: string;
}

/** An order as the machine needs it. */
export interface CaOrder {
  readonly url: string;
  readonly status: Order['status'];
  readonly identifiers: readonly string[];
  readonly authorizations: readonly string[];
  readonly finalize: string;
  readonly certificate: string | undefined;
  readonly error: string | undefined;
}

export interface CaChallenge {
  readonly type: string;
  readonly url: string;
  readonly token: string;
  readonly status: string;
}

export interface CaAuthorization {
  readonly url: string;
  readonly identifier: string;
  readonly wildcard: boolean;
  readonly status: Authorization['status'];
  readonly challenges: readonly CaChallenge[];
  /** The first challenge error the CA reported, if any. */
  readonly error: string | undefined;
}

/** acme-client's signed POST-as-GET, which its public API does not expose for arbitrary URLs. */
interface ClientInternals {
  readonly api: {
    apiRequest(
      url: string,
      payload: null,
      validStatusCodes: number[],
    ): Promise<{ data: unknown; headers: Record<string, string | undefined> }>;
  };
}

export class CaClient {
  readonly #client: Client;
  readonly #options: CaClientOptions;
  readonly #poll: PollSettings;

  constructor(options: CaClientOptions) {
    this.#options = options;
    this.#poll = options.poll ?? DEFAULT_POLL;
    this.#client = new Client({
      directoryUrl: options.directoryUrl,
      accountKey: options.accountKey,
      ...(options.accountUrl === undefined ? {} : { accountUrl: options.accountUrl }),
      ...(options.eab === undefined ? {} : { externalAccountBinding: options.eab }),
    });
  }

  /**
   * Registers the account key (or finds the account it already has: a second call with
   * the same key is harmless) and returns the account's URL.
   */
  async register(email: string): Promise<string> {
    // An account this key already has (a predecessor registered it, then died before
    // storing its URL) is looked up first: registering again would be an update, which
    // some CAs refuse when it changes nothing.
    const existing = await this.#client.createAccount({ onlyReturnExisting: true }).then(
      () => true,
      () => false,
    );
    if (!existing) {
      await this.#call('ACME_ACCOUNT', 'the CA refused the account', () =>
        this.#client.createAccount({
          termsOfServiceAgreed: true,
          ...(email === '' ? {} : { contact: [`mailto:${email}`] }),
        }),
      );
    }
    return this.#client.getAccountUrl();
  }

  async newOrder(
    identifiers: readonly string[],
    extra: { profile?: string; replaces?: string },
  ): Promise<CaOrder> {
    const order = await this.#call('ACME_CA', 'creating the order failed', () =>
      this.#client.createOrder({
        identifiers: identifiers.map((value) => ({ type: 'dns', value })),
        ...(extra.profile ? { profile: extra.profile } : {}),
        ...(extra.replaces ? { replaces: extra.replaces } : {}),
      } as Parameters<Client['createOrder']>[0]),
    );
    return caOrder(order);
  }

  async order(url: string): Promise<CaOrder> {
    const order = await this.#call('ACME_CA', 'reading the order failed', () =>
      this.#client.getOrder({ url } as Order),
    );
    return caOrder(order);
  }

  /**
   * The URLs of the account's orders, newest pages last, when the CA lists them (RFC 8555
   * §7.1.2.1; Pebble does, Let's Encrypt does not): undefined when it does not.
   */
  async accountOrders(maxPages = 50): Promise<string[] | undefined> {
    const account = (await this.#call('ACME_ACCOUNT', 'reading the account failed', () =>
      this.#client.updateAccount(),
    )) as { orders?: unknown };
    let next = typeof account.orders === 'string' ? account.orders : undefined;
    if (next === undefined) return undefined;
    const api = (this.#client as unknown as ClientInternals).api;
    const urls: string[] = [];
    for (let page = 0; next !== undefined && page < maxPages; page++) {
      const url: string = next;
      const res = await this.#call('ACME_CA', 'listing the account orders failed', () =>
        api.apiRequest(url, null, [200]),
      );
      const orders = (res.data as { orders?: unknown }).orders;
      if (Array.isArray(orders)) urls.push(...orders.filter((o): o is string => typeof o === 'string'));
      next = nextLink(res.headers.link);
    }
    return urls;
  }

  async authorization(url: string): Promise<CaAuthorization> {
    const [authz] = await this.#call('ACME_CA', 'reading the authorization failed', () =>
      this.#client.getAuthorizations({ authorizations: [url] } as Order),
    );
    return caAuthorization(authz!, url);
  }

  keyAuthorization(challenge: { type: string; token: string }): Promise<string> {
    return this.#client.getChallengeKeyAuthorization(
      challenge as Parameters<Client['getChallengeKeyAuthorization']>[0],
    );
  }

  async completeChallenge(url: string): Promise<void> {
    await this.#call('ACME_CHALLENGE', 'asking the CA to validate failed', () =>
      this.#client.completeChallenge({ url } as Parameters<Client['completeChallenge']>[0]),
    );
  }

  /** Waits until the authorization is no longer pending; `signal` ends the wait early. */
  async settleAuthorization(url: string, signal: AbortSignal): Promise<CaAuthorization> {
    return this.#pollUntil(
      () => this.authorization(url),
      (authz) => authz.status !== 'pending',
      signal,
      `authorization ${url}`,
    );
  }

  /** Waits until the order is no longer pending or processing. */
  async settleOrder(url: string, signal: AbortSignal): Promise<CaOrder> {
    return this.#pollUntil(
      () => this.order(url),
      (order) => order.status !== 'pending' && order.status !== 'processing',
      signal,
      `order ${url}`,
    );
  }

  async finalize(order: CaOrder, csrPem: string): Promise<CaOrder> {
    const finalized = await this.#call('ACME_CA', 'finalizing the order failed', () =>
      this.#client.finalizeOrder({ url: order.url, finalize: order.finalize } as Order, csrPem),
    );
    return caOrder(finalized);
  }

  /** The PEM chain, leaf first, of a valid order; the preferred chain when the CA offers it. */
  certificate(order: CaOrder, preferredChain: string): Promise<string> {
    return this.#call('ACME_CA', 'downloading the certificate failed', () =>
      this.#client.getCertificate(
        { url: order.url, status: 'valid', certificate: order.certificate } as Order,
        preferredChain === '' ? undefined : preferredChain,
      ),
    );
  }

  /** The CA's renewal window for the certificate with ARI id `ariId` (see ariCertificateId). */
  async renewalInfo(ariId: string, now: number): Promise<RenewalInfo | undefined> {
    const base = await this.renewalInfoUrl();
    if (base === undefined) return undefined;
    const res = await this.#call('ACME_CA', 'reading renewal information failed', () =>
      acmeAxios.get(`${base.replace(/\/$/, '')}/${ariId}`, { validateStatus: (s) => s === 200 }),
    );
    const retryAfter = res.headers['retry-after'] as string | undefined;
    return parseRenewalInfo(res.data, retryAfter, now);
  }

  /** The directory's renewalInfo URL, when the CA has one. */
  async renewalInfoUrl(): Promise<string | undefined> {
    const res = await this.#call('ACME_CA', 'reading the directory failed', () =>
      acmeAxios.get(this.#options.directoryUrl, { validateStatus: (s) => s === 200 }),
    );
    const url = (res.data as { renewalInfo?: unknown }).renewalInfo;
    return typeof url === 'string' ? url : undefined;
  }

  async #pollUntil<T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    signal: AbortSignal,
    what: string,
  ): Promise<T> {
    const deadline = Date.now() + this.#poll.timeoutMs;
    let wait = this.#poll.minMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (signal.aborted) throw new ConfigError('ACME_CA', this.#options.path, `stopped waiting for ${what}`);
      if (Date.now() + wait > deadline) {
        throw new ConfigError(
          'ACME_CA',
          this.#options.path,
          `${what} still pending after ${this.#poll.timeoutMs} ms`,
        );
      }
      await sleep(wait, undefined, { signal });
      wait = Math.min(wait * 2, this.#poll.maxMs);
    }
  }

  async #call<T>(code: ErrorCode, what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw classify(err, code, what, this.#options);
    }
  }
}

/** Creates a private key of the resolver's keyType, PEM. */
export function createCertificateKey(keyType: AcmeKeyType): Promise<string> {
  const key = keyType.startsWith('EC')
    ? acmeCrypto.createPrivateEcdsaKey(keyType === 'EC384' ? 'P-384' : 'P-256')
    : acmeCrypto.createPrivateRsaKey(Number(keyType.slice(3)));
  return key.then((pem) => pem.toString());
}

/** A CSR for the names, signed with `keyPem`; the main name is also the common name unless told not to. */
export async function createCsr(
  main: string,
  sans: readonly string[],
  keyPem: string,
  commonName: boolean,
): Promise<string> {
  // A common name is limited to 64 characters; longer names go in the SANs only.
  const cn = commonName && main.length <= 64 ? { commonName: main } : {};
  const [, csr] = await acmeCrypto.createCsr({ ...cn, altNames: [main, ...sans] }, keyPem);
  return csr.toString();
}

/** The TLS-ALPN-01 certificate and key (PEM) for one identifier (RFC 8737). */
export async function createAlpnCertificate(
  identifier: string,
  keyAuthorization: string,
): Promise<{ certificate: string; key: string }> {
  const key = await acmeCrypto.createPrivateEcdsaKey('P-256');
  const [, cert] = await acmeCrypto.createAlpnCertificate(
    { identifier: { type: 'dns', value: identifier } } as Authorization,
    keyAuthorization,
    key,
  );
  return { certificate: cert.toString(), key: key.toString() };
}

function caOrder(order: Order): CaOrder {
  const error = (order as { error?: { detail?: string } }).error?.detail;
  return {
    url: order.url,
    status: order.status,
    identifiers: order.identifiers.map((identifier) => identifier.value),
    authorizations: order.authorizations,
    finalize: order.finalize,
    certificate: order.certificate,
    error,
  };
}

function caAuthorization(authz: Authorization, url: string): CaAuthorization {
  const error = authz.challenges
    .map((challenge) => (challenge as { error?: { detail?: string } }).error?.detail)
    .find((detail) => detail !== undefined);
  return {
    url,
    identifier: authz.identifier.value,
    wildcard: authz.wildcard === true,
    status: authz.status,
    challenges: authz.challenges.map((challenge) => ({
      type: challenge.type,
      url: challenge.url,
      token: (challenge as { token?: string }).token ?? '',
      status: challenge.status,
    })),
    error,
  };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

// acme-client keeps only the problem's detail: a CA that lost the account (a test CA
// restarted, an account deactivated) is recognised by what Boulder and Pebble say.
const UNKNOWN_ACCOUNT = /account\b.*\b(not found|does not exist)|accountDoesNotExist/i;

/** Whether the CA no longer knows the account, which is then registered again. */
export const isUnknownAccount = (err: unknown): boolean =>
  err instanceof ConfigError && err.code === 'ACME_ACCOUNT' && UNKNOWN_ACCOUNT.test(err.detail);

function classify(err: unknown, code: ErrorCode, what: string, options: CaClientOptions): ConfigError {
  if (err instanceof ConfigError) return err;
  const error = err as Error & { code?: string; response?: { status?: number } };
  const detail = error.message || String(err);
  if (
    error.code !== undefined &&
    (NETWORK_CODES.has(error.code) || error.code.startsWith('ERR_TLS') || error.code.includes('CERT'))
  ) {
    return new ConfigError(
      'ACME_CA',
      options.path,
      `cannot reach the CA at ${options.directoryUrl}: ${error.code} (${what})`,
      { cause: err },
    );
  }
  if (/rate.?limit/i.test(detail))
    return new ConfigError('ACME_RATE_LIMITED', options.path, `${what}: ${detail}`, { cause: err });
  if (UNKNOWN_ACCOUNT.test(detail))
    return new ConfigError('ACME_ACCOUNT', options.path, `${what}: ${detail}`, { cause: err });
  return new ConfigError(code, options.path, `${what}: ${detail}`, { cause: err });
}

/** The `rel="next"` target of a Link header. */
function nextLink(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (match !== null) return match[1];
  }
  return undefined;
}

/**
 * Whether a failure says nothing about the order itself: the CA was unreachable, or it
 * kept refusing the request's nonce (badNonce, after acme-client's own retries). Such a
 * step is retried as it is, never given up for a new order.
 */
export function isTransient(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  if (err instanceof ConfigError && /anti-replay nonce|badNonce/i.test(err.detail)) return true;
  return (
    typeof cause?.code === 'string' &&
    (NETWORK_CODES.has(cause.code) || cause.code.startsWith('ERR_TLS') || cause.code.includes('CERT'))
  );
}
