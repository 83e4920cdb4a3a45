import { constants } from 'node:crypto';
import type { SecureVersion } from 'node:tls';
import type { TlsOptions } from '../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../config/errors.js';
import { readPem } from './pem-source.js';

/** The protocols the entrypoints speak over TLS; Traefik also lists acme-tls/1 (ACME's own). */
const SERVED_PROTOCOLS = new Set(['h2', 'http/1.1']);
const DEFAULT_ALPN = ['h2', 'http/1.1'];

const VERSIONS: Record<NonNullable<TlsOptions['minVersion']>, SecureVersion> = {
  VersionTLS10: 'TLSv1',
  VersionTLS11: 'TLSv1.1',
  VersionTLS12: 'TLSv1.2',
  VersionTLS13: 'TLSv1.3',
};

// Go's cipher suite names (the ones Traefik accepts) in OpenSSL's spelling. Go does not
// let TLS 1.3 suites be configured and ignores them; so do we, and TLS_FALLBACK_SCSV is a
// signal, not a suite.
const CIPHERS: Record<string, string | null> = {
  TLS_RSA_WITH_RC4_128_SHA: 'RC4-SHA',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'ECDHE-ECDSA-RC4-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'ECDHE-RSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_AES_128_GCM_SHA256: null,
  TLS_AES_256_GCM_SHA384: null,
  TLS_CHACHA20_POLY1305_SHA256: null,
  TLS_FALLBACK_SCSV: null,
};
// Listing TLS 1.2 suites only would make Node switch TLS 1.3 off; Go keeps it on.
const TLS13_SUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';

const CURVES: Record<string, string> = {
  CurveP256: 'P-256',
  secp256r1: 'P-256',
  CurveP384: 'P-384',
  secp384r1: 'P-384',
  CurveP521: 'P-521',
  secp521r1: 'P-521',
  X25519: 'X25519',
  x25519: 'X25519',
  X25519MLKEM768: 'X25519MLKEM768',
};

/** How a client certificate is asked for and checked; Node does the first three itself. */
export type ClientCertCheck = 'none' | 'require' | 'verify-if-given';

export interface TlsSettings {
  /** Secure-context options shared by the server's own context and every SNI context. */
  readonly context: {
    readonly minVersion: SecureVersion;
    readonly maxVersion: SecureVersion;
    readonly ciphers?: string;
    readonly ecdhCurve?: string;
    readonly ca?: string[];
    readonly honorCipherOrder?: boolean;
    readonly secureOptions?: number;
  };
  readonly requestCert: boolean;
  readonly rejectUnauthorized: boolean;
  /** What Node cannot enforce during the handshake and is checked right after it. */
  readonly clientCertCheck: ClientCertCheck;
  /** ALPN protocols in the server's order of preference. */
  readonly alpn: readonly string[];
  readonly sniStrict: boolean;
  /** Everything above as one string: equal keys can share a TLS server across reloads. */
  readonly key: string;
}

/** Compiles `tls.options.<name>` into server settings; errors are relative to the options. */
export async function compileTlsOptions(options: TlsOptions): Promise<Result<TlsSettings>> {
  const errors: ConfigError[] = [];
  const context: { -readonly [K in keyof TlsSettings['context']]: TlsSettings['context'][K] } = {
    minVersion: VERSIONS[options.minVersion ?? 'VersionTLS12'],
    maxVersion: VERSIONS[options.maxVersion ?? 'VersionTLS13'],
  };

  if (options.cipherSuites !== undefined) {
    const suites: string[] = [];
    options.cipherSuites.forEach((name, i) => {
      const suite = CIPHERS[name];
      if (suite === undefined)
        errors.push(new ConfigError('CONFIG_INVALID', `cipherSuites[${i}]`, `invalid cipher suite ${name}`));
      else if (suite !== null && !suites.includes(suite)) suites.push(suite);
    });
    context.ciphers = [...suites, TLS13_SUITES].join(':');
  }

  if (options.curvePreferences !== undefined) {
    const curves: string[] = [];
    options.curvePreferences.forEach((name, i) => {
      const curve = CURVES[name];
      if (curve === undefined)
        errors.push(new ConfigError('CONFIG_INVALID', `curvePreferences[${i}]`, `invalid curve ${name}`));
      else curves.push(curve);
    });
    context.ecdhCurve = curves.join(':');
  }

  if (options.preferServerCipherSuites === true) context.honorCipherOrder = true;
  if (options.disableSessionTickets === true) context.secureOptions = constants.SSL_OP_NO_TICKET;

  const caFiles = options.clientAuth?.caFiles ?? [];
  if (caFiles.length > 0) {
    const cas = await Promise.all(caFiles.map((file, i) => readPem(file, `clientAuth.caFiles[${i}]`)));
    context.ca = [];
    for (const ca of cas) {
      if (ca.ok) context.ca.push(ca.value);
      else errors.push(...ca.errors);
    }
  }

  // Traefik: CA files alone mean RequireAndVerifyClientCert; verifying needs CA files.
  const authType =
    options.clientAuth?.clientAuthType ??
    (caFiles.length > 0 ? 'RequireAndVerifyClientCert' : 'NoClientCert');
  if (
    caFiles.length === 0 &&
    (authType === 'VerifyClientCertIfGiven' || authType === 'RequireAndVerifyClientCert')
  ) {
    errors.push(
      new ConfigError('CONFIG_INVALID', 'clientAuth.clientAuthType', `${authType} needs clientAuth.caFiles`),
    );
  }
  if (errors.length > 0) return fail(...errors);

  const alpn = (options.alpnProtocols ?? DEFAULT_ALPN).filter((protocol) => SERVED_PROTOCOLS.has(protocol));
  const settings = {
    context,
    requestCert: authType !== 'NoClientCert',
    rejectUnauthorized: authType === 'RequireAndVerifyClientCert',
    clientCertCheck:
      authType === 'RequireAnyClientCert'
        ? 'require'
        : authType === 'VerifyClientCertIfGiven'
          ? 'verify-if-given'
          : 'none',
    alpn,
    sniStrict: options.sniStrict === true,
  } satisfies Omit<TlsSettings, 'key'>;
  return ok({ ...settings, key: JSON.stringify(settings) });
}
