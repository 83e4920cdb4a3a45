import { z } from 'zod';
import { KEY_ROOT } from '../store/index.js';

// What the ACME manager (on the controller) leaves in the store for the data plane, one
// key per certificate and per challenge answer, and what the distribution streams to data
// nodes. Orders, accounts and the renewal budget live under the same root but are the
// controller's own: they are never streamed.
//
//   /switchyard/acme/certificates/<resolver>/<main domain>   AcmeCertificate, sealed
//   /switchyard/acme/challenges/http-01/<token>              Http01Answer
//   /switchyard/acme/challenges/tls-alpn-01/<domain>         TlsAlpn01Answer, sealed
//
// Sealed values are encrypted with the cluster data key (DataKey.seal with the key as
// associated data); control nodes open them before streaming over mutual TLS.

export const ACME_PREFIX = `${KEY_ROOT}acme/`;
export const ACME_CERTIFICATES_PREFIX = `${ACME_PREFIX}certificates/`;
export const HTTP01_PREFIX = `${ACME_PREFIX}challenges/http-01/`;
export const TLS_ALPN01_PREFIX = `${ACME_PREFIX}challenges/tls-alpn-01/`;

/** The prefixes a data node receives from the ACME manager. */
export const STREAMED_ACME_PREFIXES = [ACME_CERTIFICATES_PREFIX, HTTP01_PREFIX, TLS_ALPN01_PREFIX] as const;

export const isSealedAcmeKey = (key: string): boolean =>
  key.startsWith(ACME_CERTIFICATES_PREFIX) || key.startsWith(TLS_ALPN01_PREFIX);

export const acmeCertificateKey = (resolver: string, main: string): string =>
  `${ACME_CERTIFICATES_PREFIX}${resolver}/${main}`;
export const http01Key = (token: string): string => `${HTTP01_PREFIX}${token}`;
export const tlsAlpn01Key = (domain: string): string => `${TLS_ALPN01_PREFIX}${domain}`;

export const AcmeCertificate = z.strictObject({
  resolver: z.string().min(1),
  domains: z.strictObject({ main: z.string().min(1), sans: z.array(z.string()).default([]) }),
  /** PEM chain, leaf first. */
  certificate: z.string().min(1),
  /** PEM private key. */
  key: z.string().min(1),
  notAfter: z.iso.datetime(),
});
export type AcmeCertificate = z.infer<typeof AcmeCertificate>;

export const Http01Answer = z.strictObject({
  token: z.string().min(1),
  keyAuthorization: z.string().min(1),
  domain: z.string().min(1),
});
export type Http01Answer = z.infer<typeof Http01Answer>;

export const TlsAlpn01Answer = z.strictObject({
  domain: z.string().min(1),
  /** PEM of the self-signed certificate carrying the acmeIdentifier extension. */
  certificate: z.string().min(1),
  key: z.string().min(1),
});
export type TlsAlpn01Answer = z.infer<typeof TlsAlpn01Answer>;
