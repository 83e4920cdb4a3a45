import { ConfigError, fail, type Result } from '../../../config/errors.js';
import type { DnsProvider, Env } from './dns-provider.js';
import { execProvider } from './exec-provider.js';
import { httpreqProvider } from './httpreq-provider.js';
import { rfc2136Provider } from './rfc2136-provider.js';

/** The DNS providers by their lego names; each reads its settings from the environment. */
export const DNS_PROVIDERS: Readonly<Record<string, (env: Env) => Result<DnsProvider>>> = {
  exec: execProvider,
  httpreq: httpreqProvider,
  rfc2136: rfc2136Provider,
};

/** The provider a dnsChallenge names, configured from `env`; errors name the resolver. */
export function createDnsProvider(resolver: string, name: string, env: Env): Result<DnsProvider> {
  const make = Object.hasOwn(DNS_PROVIDERS, name) ? DNS_PROVIDERS[name] : undefined;
  const path = `certificatesResolvers.${resolver}.acme.dnsChallenge.provider`;
  if (make === undefined) {
    return fail(
      new ConfigError(
        'UNSUPPORTED',
        path,
        `DNS provider ${JSON.stringify(name)} is not available (Switchyard has ${Object.keys(DNS_PROVIDERS).join(', ')})`,
      ),
    );
  }
  const made = make(env);
  return made.ok
    ? made
    : fail(...made.errors.map((error) => new ConfigError(error.code, path, error.detail)));
}
