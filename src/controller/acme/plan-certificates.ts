import type { Domain, Router } from '../../config/dynamic/index.js';
import { ConfigError } from '../../config/errors.js';
import { INTERNAL_ENTRYPOINT, type StaticConfig } from '../../config/static/index.js';
import { parseRule, resolveSyntax, type RuleNode } from '../../rules/index.js';
import { checkDomain } from './domain-name.js';

// Which certificates the routers ask for, as Traefik's ACME provider reads them: a router
// whose TLS names a certificate resolver (its own tls.certResolver, or its entrypoint's
// http.tls.certResolver) gets one certificate per tls.domains entry, or, without
// tls.domains, one certificate for every Host of its rule (the first is the main domain).
// Names that cannot be ordered are left out and reported on the router.

/** One certificate to hold, keyed by resolver and main domain. */
export interface CertificateRequest {
  readonly resolver: string;
  readonly main: string;
  /** Sorted, without the main domain. */
  readonly sans: readonly string[];
  /** The routers that ask for it, sorted. */
  readonly routers: readonly string[];
}

/** A router's problem with its certificate, under `http.routers.<name>`. */
export interface RouterError {
  readonly router: string;
  readonly error: ConfigError;
}

export interface CertificatePlan {
  /** Sorted by resolver, then main domain. */
  readonly requests: readonly CertificateRequest[];
  readonly errors: readonly RouterError[];
}

/** What the planner needs to know of a resolver: whether it can answer DNS-01 (wildcards). */
export interface ResolverAbilities {
  readonly dnsChallenge: boolean;
}

type EntryPoints = StaticConfig['entryPoints'];

export function planCertificates(
  routers: Readonly<Record<string, Router>>,
  resolvers: ReadonlyMap<string, ResolverAbilities>,
  entryPoints: EntryPoints = {},
): CertificatePlan {
  const errors: RouterError[] = [];
  const wanted = new Map<
    string,
    { resolver: string; main: string; sans: Set<string>; routers: Set<string> }
  >();

  for (const name of Object.keys(routers).sort()) {
    const router = routers[name]!;
    const path = `http.routers.${name}`;
    for (const tls of effectiveTls(router, entryPoints)) {
      const resolverName = tls.certResolver;
      const resolver = resolvers.get(resolverName);
      if (resolver === undefined) {
        errors.push({
          router: name,
          error: new ConfigError(
            'CONFIG_MISSING_REFERENCE',
            `${path}.tls.certResolver`,
            `certificate resolver ${JSON.stringify(resolverName)} does not exist`,
          ),
        });
        continue;
      }
      const sets =
        tls.domains.length > 0
          ? fromDomains(tls.domains, tls.fromEntryPoint ? tls.domainsPath : `${path}.${tls.domainsPath}`)
          : fromRule(router, path);
      for (const set of sets) {
        const names: string[] = [];
        for (const { raw, where } of set) {
          const checked = checkDomain(raw);
          if (!checked.ok) {
            errors.push({
              router: name,
              error: new ConfigError(
                'ACME_DOMAIN',
                where,
                `${JSON.stringify(raw)} ${checked.why}: no certificate is ordered for it`,
              ),
            });
          } else if (checked.wildcard && !resolver.dnsChallenge) {
            errors.push({
              router: name,
              error: new ConfigError(
                'ACME_DOMAIN',
                where,
                `the wildcard ${JSON.stringify(raw)} needs a DNS challenge, and resolver ${JSON.stringify(resolverName)} has no dnsChallenge`,
              ),
            });
          } else if (!names.includes(checked.name)) {
            names.push(checked.name);
          }
        }
        const [main, ...sans] = names;
        if (main === undefined) continue;
        const key = `${resolverName}\0${main}`;
        const entry = wanted.get(key) ?? {
          resolver: resolverName,
          main,
          sans: new Set(),
          routers: new Set(),
        };
        for (const san of sans) entry.sans.add(san);
        entry.routers.add(name);
        wanted.set(key, entry);
      }
    }
  }

  const requests = [...wanted.values()]
    .map(({ resolver, main, sans, routers: by }) => ({
      resolver,
      main,
      sans: [...sans].filter((san) => san !== main).sort(),
      routers: [...by].sort(),
    }))
    .sort((a, b) => (a.resolver === b.resolver ? compare(a.main, b.main) : compare(a.resolver, b.resolver)));
  return { requests, errors };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface EffectiveTls {
  readonly certResolver: string;
  readonly domains: readonly Domain[];
  readonly domainsPath: string;
  /** Set when the settings are the entrypoint's defaults (its paths are static ones). */
  readonly fromEntryPoint: boolean;
}

/**
 * The TLS settings that name a resolver: the router's own, or else those of each
 * entrypoint it serves that sets http.tls (Traefik's entrypoint defaults).
 */
function effectiveTls(router: Router, entryPoints: EntryPoints): EffectiveTls[] {
  if (router.tls !== undefined) {
    const resolver = router.tls.certResolver;
    if (resolver === undefined || resolver === '') return [];
    return [
      {
        certResolver: resolver,
        domains: router.tls.domains ?? [],
        domainsPath: 'tls.domains',
        fromEntryPoint: false,
      },
    ];
  }
  const names =
    router.entryPoints !== undefined && router.entryPoints.length > 0
      ? router.entryPoints
      : Object.keys(entryPoints).filter((name) => name !== INTERNAL_ENTRYPOINT);
  const out: EffectiveTls[] = [];
  for (const name of names) {
    const tls = entryPoints[name]?.http.tls;
    if (tls?.certResolver === undefined) continue;
    if (out.some((seen) => seen.certResolver === tls.certResolver)) continue;
    out.push({
      certResolver: tls.certResolver,
      domains: tls.domains,
      domainsPath: `entryPoints.${name}.http.tls.domains`,
      fromEntryPoint: true,
    });
  }
  return out;
}

type NameSet = { readonly raw: string; readonly where: string }[];

function fromDomains(domains: readonly Domain[], path: string): NameSet[] {
  return domains.map((domain, i) => [
    { raw: domain.main, where: `${path}[${i}].main` },
    ...(domain.sans ?? []).map((san, j) => ({ raw: san, where: `${path}[${i}].sans[${j}]` })),
  ]);
}

/** Every Host of the rule not under a negation, in the order written. */
function fromRule(router: Router, path: string): NameSet[] {
  const parsed = parseRule(router.rule, resolveSyntax(router.ruleSyntax));
  // A rule that does not parse is reported (and its router left out) by the controller.
  if (!parsed.ok) return [];
  const hosts: string[] = [];
  collectHosts(parsed.value, false, hosts);
  const unique = [...new Set(hosts.map((host) => host.toLowerCase()))];
  return unique.length === 0 ? [] : [unique.map((raw) => ({ raw, where: `${path}.rule` }))];
}

function collectHosts(node: RuleNode, negated: boolean, into: string[]): void {
  switch (node.kind) {
    case 'not':
      collectHosts(node.operand, !negated, into);
      return;
    case 'and':
    case 'or':
      collectHosts(node.left, negated, into);
      collectHosts(node.right, negated, into);
      return;
    case 'matcher':
      if (!negated && node.name === 'Host') into.push(...node.args);
  }
}
