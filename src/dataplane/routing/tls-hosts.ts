import { ConfigError } from '../../config/errors.js';
import { parseRule, resolveSyntax, type RuleNode } from '../../rules/index.js';
import { DEFAULT_TLS } from '../tls/index.js';
import type { RouteSpec } from './assign-routers.js';

export interface TlsHostPlan {
  /** Hosts whose connections use TLS options other than `default`, by SNI name. */
  readonly optionsByHost: ReadonlyMap<string, string>;
  /** The TLS options each TLS router ends up with on this entrypoint. */
  readonly optionsByRouter: ReadonlyMap<string, string>;
  /** Routers whose options were overruled, which keeps them working with `default`. */
  readonly warnings: ConfigError[];
}

/**
 * Decides which TLS options a connection gets from the server name it asks for, on one
 * entrypoint, as Traefik does: the options of the TLS routers whose rule names that host
 * (Host matchers). Options chosen by a router without a Host in its rule cannot be told
 * apart by SNI, and a host that routers give different options: both fall back to
 * `default`, and the routers concerned are told.
 */
export function planTlsHosts(entryPoint: string, routes: readonly RouteSpec[]): TlsHostPlan {
  const warnings: ConfigError[] = [];
  const optionsByRouter = new Map<string, string>();
  const hostsByRouter = new Map<string, string[]>();
  const optionsSeen = new Map<string, Set<string>>();

  for (const route of routes) {
    const wanted = route.tls?.options ?? DEFAULT_TLS;
    optionsByRouter.set(route.name, wanted);
    const parsed = parseRule(route.router.rule, resolveSyntax(route.router.ruleSyntax));
    // A rule that does not parse is reported when the router table is compiled.
    const hosts = parsed.ok ? hostsOf(parsed.value) : [];
    hostsByRouter.set(route.name, hosts);
    if (hosts.length === 0 && wanted !== DEFAULT_TLS) {
      optionsByRouter.set(route.name, DEFAULT_TLS);
      warnings.push(
        new ConfigError(
          'CONFIG_CONFLICT',
          `http.routers.${route.name}.tls.options`,
          `on entrypoint ${JSON.stringify(entryPoint)}, TLS options need a Host in the rule to be chosen by SNI; the default TLS options apply`,
        ),
      );
    }
    for (const host of hosts) {
      const seen = optionsSeen.get(host) ?? new Set<string>();
      seen.add(wanted);
      optionsSeen.set(host, seen);
    }
  }

  for (const route of routes) {
    const conflict = hostsByRouter.get(route.name)!.find((host) => optionsSeen.get(host)!.size > 1);
    if (conflict === undefined) continue;
    optionsByRouter.set(route.name, DEFAULT_TLS);
    warnings.push(
      new ConfigError(
        'CONFIG_CONFLICT',
        `http.routers.${route.name}.tls.options`,
        `on entrypoint ${JSON.stringify(entryPoint)}, host ${JSON.stringify(conflict)} is served by routers with different TLS options; the default TLS options apply`,
      ),
    );
  }

  const optionsByHost = new Map<string, string>();
  for (const [host, seen] of optionsSeen) {
    const [only] = seen;
    if (seen.size === 1 && only !== DEFAULT_TLS) optionsByHost.set(host, only!);
  }
  return { optionsByHost, optionsByRouter, warnings };
}

/** The hosts a rule's Host matchers name, lower-case (Traefik's ParseDomains). */
function hostsOf(node: RuleNode): string[] {
  switch (node.kind) {
    case 'matcher':
      return node.name === 'Host' ? node.args.map((arg) => arg.toLowerCase()) : [];
    case 'not':
      return hostsOf(node.operand);
    case 'and':
    case 'or':
      return [...hostsOf(node.left), ...hostsOf(node.right)];
  }
}
