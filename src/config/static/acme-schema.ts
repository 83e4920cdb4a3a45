import { z } from 'zod';
import { NonNegativeDuration } from './non-negative-duration.js';
import { caseInsensitiveEnum } from './sections-schema.js';

// Traefik's `certificatesResolvers.<name>.acme` (pkg/provider/acme/provider.go), with its
// option names and defaults. Switchyard keeps certificates in the replicated store, so
// `storage` is accepted (a Traefik file keeps loading) and ignored.

const Name = z.string().min(1);

/** Let's Encrypt's production directory, Traefik's default caServer. */
export const LETS_ENCRYPT_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';

export const ACME_KEY_TYPES = ['EC256', 'EC384', 'RSA2048', 'RSA4096', 'RSA8192'] as const;
export type AcmeKeyType = (typeof ACME_KEY_TYPES)[number];

const Eab = z.strictObject({
  kid: Name,
  /** The HMAC key, base64url as the CA hands it out. */
  hmacEncoded: Name,
});

const HttpChallenge = z.strictObject({
  /** The entrypoint the CA reaches on port 80; Switchyard answers on every entrypoint. */
  entryPoint: Name,
  /** Wait between writing the answer and asking the CA to validate. */
  delay: NonNegativeDuration.default(0),
});

const TlsChallenge = z.strictObject({
  delay: NonNegativeDuration.default(0),
});

const Propagation = z.strictObject({
  disableChecks: z.boolean().default(false),
  disableANSChecks: z.boolean().default(false),
  requireAllRNS: z.boolean().default(false),
  delayBeforeChecks: NonNegativeDuration.default(0),
});

const DnsChallenge = z.strictObject({
  /** A DNS provider name: rfc2136, exec or httpreq (lego's names; settings come from their env variables). */
  provider: Name,
  /** DNS servers (host:port) asked whether the TXT record is visible before validation. */
  resolvers: z.array(Name).default([]),
  propagation: Propagation.prefault({}),
  /** Traefik v2's name of propagation.delayBeforeChecks; still read. */
  delayBeforeCheck: NonNegativeDuration.optional(),
  /** Traefik v2's name of propagation.disableChecks; still read. */
  disablePropagationCheck: z.boolean().optional(),
});

export const AcmeResolver = z
  .strictObject({
    email: z.string().default(''),
    caServer: Name.default(LETS_ENCRYPT_DIRECTORY),
    preferredChain: z.string().default(''),
    /** An ACME profile name the CA offers (newOrder "profile"); empty for the CA's default. */
    profile: z.string().default(''),
    /** Accepted for Traefik compatibility; Switchyard's CSRs carry DNS names only. */
    emailAddresses: z.array(Name).default([]),
    disableCommonName: z.boolean().default(false),
    /** Accepted and ignored: certificates and accounts live in the replicated store. */
    storage: z.string().optional(),
    keyType: caseInsensitiveEnum(ACME_KEY_TYPES, 'keyType').default('RSA4096'),
    eab: Eab.optional(),
    /** The lifetime of the CA's certificates in hours; picks the renewal window, as in Traefik. */
    certificatesDuration: z.number().int().min(1).default(2160),
    clientTimeout: NonNegativeDuration.default(120_000),
    clientResponseHeaderTimeout: NonNegativeDuration.default(30_000),
    /** PEM files of CAs that sign the ACME server's HTTPS certificate (lego: LEGO_CA_CERTIFICATES). */
    caCertificates: z.array(Name).default([]),
    /** With caCertificates: trust the system's roots too. */
    caSystemCertPool: z.boolean().default(false),
    caServerName: z.string().default(''),
    httpChallenge: HttpChallenge.optional(),
    tlsChallenge: TlsChallenge.optional(),
    dnsChallenge: DnsChallenge.optional(),
  })
  .refine(
    (acme) =>
      acme.httpChallenge !== undefined || acme.tlsChallenge !== undefined || acme.dnsChallenge !== undefined,
    { error: 'set at least one of httpChallenge, tlsChallenge or dnsChallenge' },
  );
export type AcmeResolver = z.infer<typeof AcmeResolver>;

/** One `certificatesResolvers.<name>`; ACME is the only kind Switchyard has. */
export const CertificatesResolver = z.strictObject({
  acme: AcmeResolver,
});
export type CertificatesResolver = z.infer<typeof CertificatesResolver>;
