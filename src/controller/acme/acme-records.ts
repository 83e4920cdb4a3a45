import { z } from 'zod';
import { ACME_PREFIX } from '../../cluster/node/index.js';
import { ERROR_CODES } from '../../config/errors.js';

// The ACME manager's own records, beside what it leaves for data nodes (acme-keys.ts).
// None of these is streamed to data nodes.
//
//   /switchyard/acme/orders/<resolver>/<main>              OrderRecord: one certificate's state machine
//   /switchyard/acme/accounts/<resolver>                   AccountRecord, sealed
//   /switchyard/acme/limits/<resolver>/new-orders/<time>-<n>           an order created (per account)
//   /switchyard/acme/limits/<resolver>/failed/<identifier>/<time>-<n>  a failed authorization
//   /switchyard/acme/router-errors/<router>                the router's ACME errors (JSON array)

export const ACME_ORDERS_PREFIX = `${ACME_PREFIX}orders/`;
export const ACME_ACCOUNTS_PREFIX = `${ACME_PREFIX}accounts/`;
export const ACME_LIMITS_PREFIX = `${ACME_PREFIX}limits/`;
export const ACME_ROUTER_ERRORS_PREFIX = `${ACME_PREFIX}router-errors/`;

export const orderKey = (resolver: string, main: string): string =>
  `${ACME_ORDERS_PREFIX}${resolver}/${main}`;
export const accountKey = (resolver: string): string => `${ACME_ACCOUNTS_PREFIX}${resolver}`;
/** One key per counted event, so that concurrent orders never overwrite each other's count. */
export const newOrderEventKey = (resolver: string, time: number, n: number): string =>
  `${ACME_LIMITS_PREFIX}${resolver}/new-orders/${eventName(time, n)}`;
export const failedAuthorizationEventKey = (
  resolver: string,
  identifier: string,
  time: number,
  n: number,
): string => `${ACME_LIMITS_PREFIX}${resolver}/failed/${identifier}/${eventName(time, n)}`;
const eventName = (time: number, n: number): string => `${String(time).padStart(15, '0')}-${n}`;
export const routerErrorsKey = (router: string): string => `${ACME_ROUTER_ERRORS_PREFIX}${router}`;

/**
 * Where a certificate is on its way from the CA. `pending`, `issued` and `failed` rest
 * (until a due time); the others are steps of one order, each written before the CA
 * call it leads to, so that a controller that dies anywhere leaves enough to continue.
 *
 *   pending ─► ordering ─► ordered ─► presented ─► finalizing ─► issued
 *                  (intent)   (order URL) (answers out) (key chosen)   │
 *   failed ◄── any step that the CA refuses ────────────────────────────┘ renewal → pending
 */
export const ORDER_STATES = [
  'pending',
  'ordering',
  'ordered',
  'presented',
  'finalizing',
  'issued',
  'failed',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const CHALLENGE_TYPES = ['http-01', 'tls-alpn-01', 'dns-01'] as const;
export type ChallengeType = (typeof CHALLENGE_TYPES)[number];

const Time = z.number().int().nonnegative();

export const RecordedError = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  at: Time,
});
export type RecordedError = z.infer<typeof RecordedError>;

/** One authorization of an order, and the challenge chosen to answer it. */
export const AuthorizationStep = z.strictObject({
  url: z.string().min(1),
  identifier: z.string().min(1),
  /** Set once a challenge was chosen (the authorization was pending). */
  challenge: z
    .strictObject({
      type: z.enum(CHALLENGE_TYPES),
      url: z.string().min(1),
      token: z.string().min(1),
    })
    .optional(),
});
export type AuthorizationStep = z.infer<typeof AuthorizationStep>;

/** A DNS-01 TXT record, with what lego's RAW-mode providers get instead of fqdn and value. */
export const DnsRecord = z.strictObject({
  /** `_acme-challenge.<domain>.` */
  fqdn: z.string().min(1),
  /** The TXT value: base64url of the key authorization's SHA-256. */
  value: z.string().min(1),
  domain: z.string().min(1),
  token: z.string().min(1),
  keyAuthorization: z.string().min(1),
});
export type DnsRecord = z.infer<typeof DnsRecord>;

export const OrderRecord = z.strictObject({
  resolver: z.string().min(1),
  main: z.string().min(1),
  sans: z.array(z.string()),
  state: z.enum(ORDER_STATES),
  /** Why the current order exists. */
  reason: z.enum(['new', 'renewal', 'domains']),
  /** Set while no router asks for the certificate: it is no longer renewed. */
  unusedSince: Time.optional(),
  /** When this resting record is next looked at (retry, renewal). */
  dueAt: Time,
  /** When the ordering intent was written: a successor looks for an order created after it. */
  orderingSince: Time.optional(),
  orderUrl: z.string().optional(),
  authorizations: z.array(AuthorizationStep).optional(),
  /** Store keys of the answers written for data nodes. */
  answerKeys: z.array(z.string()).optional(),
  /** TXT records the DNS provider was asked to create. */
  dnsRecords: z.array(DnsRecord).optional(),
  /** The certificate's private key, sealed with the data key, from finalizing until issued. */
  certKey: z.string().optional(),
  /** Failures since the last success; drives the backoff. */
  failures: z.number().int().nonnegative().default(0),
  lastError: RecordedError.optional(),
  /** Of the certificate in the store. */
  issuedAt: Time.optional(),
  notAfter: Time.optional(),
  issuer: z.string().optional(),
  serial: z.string().optional(),
  /** The ARI certificate id of the issued certificate, when the CA offers renewalInfo. */
  ariId: z.string().optional(),
  updatedAt: Time,
});
export type OrderRecord = z.infer<typeof OrderRecord>;

/** The ACME account of a resolver: its key and where the CA keeps it. */
export const AccountRecord = z.strictObject({
  caServer: z.string().min(1),
  email: z.string(),
  /** PEM; the record is sealed as a whole. */
  key: z.string().min(1),
  /** Absent until the CA registered the key. */
  url: z.string().optional(),
});
export type AccountRecord = z.infer<typeof AccountRecord>;
