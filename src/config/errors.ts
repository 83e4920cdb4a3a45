// One catalogue of error codes, so callers branch on `code`, never on the message.
// Every error names where it happened as a resource path, e.g.
// `http.routers.api@file.rule` or `dynamic/app.yml:12:3`.

export const ERROR_CODES = [
  'CONFIG_PARSE', // a file or value that does not parse (YAML, TOML, duration...)
  'CONFIG_INVALID', // a value that parses but breaks the schema
  'CONFIG_UNKNOWN_FIELD', // a key the schema does not know
  'CONFIG_CONFLICT', // the same resource defined differently in two places
  'CONFIG_MISSING_REFERENCE', // a router naming a service or middleware that does not exist
  'CONFIG_EMPTY_SERVICE', // a service with no servers
  'CONFIG_CYCLE', // a service or middleware chain that refers back to itself
  'RULE_SYNTAX', // a rule that does not parse
  'RULE_UNKNOWN_MATCHER', // a matcher name that does not exist in the chosen syntax
  'RULE_BAD_REGEXP', // a Go regexp that cannot be translated or does not compile
  'TLS_INVALID', // a certificate or key that cannot be loaded
  'STATIC_INVALID', // a static configuration key that is wrong
  'UNSUPPORTED', // valid Traefik configuration that Switchyard does not implement yet
  'LISTEN_FAILED', // an entrypoint address that cannot be bound
  'PROVIDER_UNAVAILABLE', // a provider's source (the Docker engine...) cannot be read; its last configuration stays
  'CONFIG_STALE', // a version older than the one a data node serves (refused with a NACK)
  'ACME_DOMAIN', // a domain a router wants a certificate for that cannot be ordered (invalid, or a wildcard without DNS-01)
  'ACME_CA', // the ACME CA is unreachable or answered an error
  'ACME_ACCOUNT', // the ACME CA refused the account (bad EAB credentials, terms, a revoked key)
  'ACME_CHALLENGE', // a challenge failed: the CA could not validate it, the DNS provider failed, data nodes did not take it
  'ACME_RATE_LIMITED', // the cluster's ordering budget (or the CA's rate limit) holds an order back
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code: ErrorCode,
    readonly path: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(path ? `${path}: ${detail}` : detail, options);
  }

  /** The same error seen from one level up: `inner.field` becomes `outer.inner.field`. */
  under(prefix: string): ConfigError {
    const path = this.path ? `${prefix}.${this.path}` : prefix;
    return new ConfigError(this.code, path, this.detail, { cause: this.cause });
  }

  toJSON(): { code: ErrorCode; path: string; message: string } {
    return { code: this.code, path: this.path, message: this.detail };
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: ConfigError[] };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(...errors: ConfigError[]): Result<T> => ({ ok: false, errors });
