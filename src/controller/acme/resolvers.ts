import { readFile } from 'node:fs/promises';
import { ConfigError, fail, ok, type Result } from '../../config/errors.js';
import type { AcmeKeyType, CertificatesResolver } from '../../config/static/index.js';
import { withSystemRoots, type CaTransport } from './ca-client.js';
import type { Env } from './dns/index.js';
import type { ResolverAbilities } from './plan-certificates.js';
import { renewalWindow, type RenewalWindow } from './renewal.js';

// A certificate resolver as the manager uses it: the static section with its defaults
// applied, the CA's trust read from files, and lego's environment variables honoured.

export interface DnsChallengeSettings {
  readonly provider: string;
  readonly resolvers: readonly string[];
  readonly delayBeforeChecksMs: number;
  readonly disableChecks: boolean;
  readonly requireAllResolvers: boolean;
}

export interface ResolverSettings extends ResolverAbilities {
  readonly name: string;
  /** Where errors about it are reported: certificatesResolvers.<name>.acme. */
  readonly path: string;
  readonly caServer: string;
  readonly email: string;
  readonly keyType: AcmeKeyType;
  readonly eab: { readonly kid: string; readonly hmacKey: string } | undefined;
  readonly preferredChain: string;
  readonly profile: string;
  readonly commonName: boolean;
  readonly window: RenewalWindow;
  readonly transport: CaTransport;
  /** Challenges it answers, with the wait before asking the CA to validate. */
  readonly http: { readonly delayMs: number } | undefined;
  readonly tls: { readonly delayMs: number } | undefined;
  readonly dns: DnsChallengeSettings | undefined;
  /** Things it was given that Switchyard does not use, to log once. */
  readonly ignored: readonly string[];
}

/** lego's variables: CA files (path list), the system pool, and the server name. */
const CA_FILES_ENV = 'LEGO_CA_CERTIFICATES';
const SYSTEM_POOL_ENV = 'LEGO_CA_SYSTEM_CERT_POOL';
const SERVER_NAME_ENV = 'LEGO_CA_SERVER_NAME';

export async function loadResolver(
  name: string,
  resolver: CertificatesResolver,
  env: Env,
): Promise<Result<ResolverSettings>> {
  const acme = resolver.acme;
  const path = `certificatesResolvers.${name}.acme`;
  const files = [
    ...acme.caCertificates,
    ...(env[CA_FILES_ENV] ?? '')
      .split(/[:,]/)
      .map((file) => file.trim())
      .filter((file) => file !== ''),
  ];
  const pems: string[] = [];
  for (const file of files) {
    try {
      pems.push(await readFile(file, 'utf8'));
    } catch (err) {
      return fail(
        new ConfigError(
          'STATIC_INVALID',
          `${path}.caCertificates`,
          `cannot read ${file}: ${(err as Error).message}`,
        ),
      );
    }
  }
  const systemPool = acme.caSystemCertPool || /^(1|true)$/i.test(env[SYSTEM_POOL_ENV] ?? '');
  const serverName = acme.caServerName || env[SERVER_NAME_ENV] || '';
  const dns = acme.dnsChallenge;
  const ignored: string[] = [];
  if (acme.storage !== undefined) {
    ignored.push(
      `${path}.storage: certificates and accounts are kept in the cluster's store, not in ${acme.storage}`,
    );
  }
  if (acme.emailAddresses.length > 0) ignored.push(`${path}.emailAddresses: CSRs carry DNS names only`);
  if (dns?.propagation.disableANSChecks === true) {
    ignored.push(`${path}.dnsChallenge.propagation.disableANSChecks: authoritative servers are never asked`);
  }
  return ok({
    name,
    path,
    caServer: acme.caServer,
    email: acme.email,
    keyType: acme.keyType,
    eab: acme.eab === undefined ? undefined : { kid: acme.eab.kid, hmacKey: acme.eab.hmacEncoded },
    preferredChain: acme.preferredChain,
    profile: acme.profile,
    commonName: !acme.disableCommonName,
    window: renewalWindow(acme.certificatesDuration),
    transport: {
      ...(pems.length === 0 ? {} : { ca: systemPool ? withSystemRoots(pems) : pems }),
      ...(serverName === '' ? {} : { serverName }),
      timeoutMs: acme.clientTimeout,
    },
    http: acme.httpChallenge === undefined ? undefined : { delayMs: acme.httpChallenge.delay },
    tls: acme.tlsChallenge === undefined ? undefined : { delayMs: acme.tlsChallenge.delay },
    dns:
      dns === undefined
        ? undefined
        : {
            provider: dns.provider,
            resolvers: dns.resolvers,
            delayBeforeChecksMs: dns.delayBeforeCheck ?? dns.propagation.delayBeforeChecks,
            disableChecks: dns.disablePropagationCheck ?? dns.propagation.disableChecks,
            requireAllResolvers: dns.propagation.requireAllRNS,
          },
    dnsChallenge: dns !== undefined,
    ignored,
  });
}
