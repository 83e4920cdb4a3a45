// Let's Encrypt in a cluster: the ACME manager that runs on the elected controller, the
// pure planning and renewal logic it is built from, and the status it leaves in the store.
// See docs/acme.md. Loaded only where ACME is configured: acme-client is large.
export { AcmeManager, type AcmeManagerOptions } from './acme-manager.js';
export {
  ACME_ACCOUNTS_PREFIX,
  ACME_LIMITS_PREFIX,
  ACME_ORDERS_PREFIX,
  ACME_ROUTER_ERRORS_PREFIX,
  AccountRecord,
  CHALLENGE_TYPES,
  ORDER_STATES,
  OrderRecord,
  accountKey,
  orderKey,
  routerErrorsKey,
  type ChallengeType,
  type OrderState,
} from './acme-records.js';
export {
  formatAcmeStatus,
  readAcmeStatus,
  type AcmeStatus,
  type CertificateStatus,
  type RouterAcmeErrors,
} from './acme-status.js';
export { ariCertificateId, parseRenewalInfo, type RenewalInfo } from './ari.js';
export { admit, blockedUntil, FAILED_AUTHORIZATIONS_LIMIT, NEW_ORDERS_LIMIT, type Limit } from './budget.js';
export { BudgetBook, LETS_ENCRYPT_LIMITS, type BudgetLimits } from './budget-book.js';
export {
  CaClient,
  createAlpnCertificate,
  DEFAULT_POLL,
  registerCaTransport,
  type CaTransport,
  type PollSettings,
} from './ca-client.js';
export { checkDomain, type DomainCheck } from './domain-name.js';
export * from './dns/index.js';
export {
  planCertificates,
  type CertificatePlan,
  type CertificateRequest,
  type ResolverAbilities,
  type RouterError,
} from './plan-certificates.js';
export { reconcileOrders, routerErrorChanges, type OrderChange, type StoredOrder } from './reconcile.js';
export {
  DEFAULT_BACKOFF,
  renewalWindow,
  renewAt,
  type RenewalWindow,
  type SuggestedWindow,
} from './renewal.js';
export { loadResolver, type ResolverSettings } from './resolvers.js';
