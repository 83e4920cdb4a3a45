// DNS-01: providers that publish the challenge's TXT record, and the propagation check.
export type { DnsProvider, Env } from './dns-provider.js';
export { createDnsProvider, DNS_PROVIDERS } from './providers.js';
export { waitForTxt, type PropagationCheck } from './propagation.js';
export { parseNameServer } from './rfc2136-provider.js';
export {
  decodeResponseHeader,
  encodeName,
  encodeTxtUpdate,
  parseTsigAlgorithm,
  RCODES,
  TSIG_ALGORITHMS,
  type TsigAlgorithm,
  type TsigKey,
  type TsigStamp,
  type TxtUpdate,
  type UpdateResponse,
} from './rfc2136-message.js';
